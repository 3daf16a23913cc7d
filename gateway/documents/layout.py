"""The page of an official document with reportlab: an A4 PDF laid out as GB/T 9704-2012 lays one out.

The page: margins of 37 mm (top) and 28 mm (left), a text block of 156 × 225 mm; the issuing organ's name in red
above a red rule (版头), the document number under it; the title at 22 pt (二号), centred; the addressee, the body
at 16 pt (三号) with a two-character indent, about 28 characters to a line; the issuer and the date at the
right. The Chinese font is embedded (the subset used), and the output depends only on the document, so its
digest is the same however often it is written. Imported at a process's first document (`gateway.documents.pdf`).
"""

from io import BytesIO
from pathlib import Path
from threading import Lock
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.flowables import Flowable

from gateway.documents.wording import Wording

RED = Color(0.8, 0, 0)
_TOP, _LEFT, _WIDTH = 37 * mm, 28 * mm, 156 * mm
_FONT = "LagwCJK"
_registered: dict[Path, str] = {}  # font file -> its name in reportlab's registry
_lock = Lock()


def font_name(path: Path) -> str:
    """The font's name in reportlab's registry, registered once per process and file."""
    with _lock:
        name = _registered.get(path)
        if name is None:
            name = f"{_FONT}{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
            _registered[path] = name
    return name


def missing_characters(words: Wording, font_path: Path) -> set[str]:
    """The characters of the words the font cannot draw."""
    font = pdfmetrics.getFont(font_name(font_path))
    parts = (words.title, words.number, words.addressee, *words.paragraphs, words.issuer, words.date)
    text = "".join((*parts, words.copy_to or ""))
    return {ch for ch in text if not ch.isspace() and ord(ch) not in font.face.charToGlyph}


def layout(words: Wording, font_path: Path) -> bytes:
    """The PDF of a document's words."""
    font = font_name(font_path)
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        topMargin=_TOP,
        leftMargin=_LEFT,
        rightMargin=A4[0] - _LEFT - _WIDTH,
        bottomMargin=35 * mm,
        title=f"{words.title} {words.number}",
        author=words.issuer,
        creator="法律援助协同平台",
        invariant=1,  # no creation time or random id: the same document, the same bytes
    )
    body = ParagraphStyle(
        "body", fontName=font, fontSize=16, leading=28.9, wordWrap="CJK", firstLineIndent=32, alignment=TA_JUSTIFY
    )
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=33, alignment=TA_CENTER, wordWrap="CJK")
    signed = ParagraphStyle("signed", parent=body, firstLineIndent=0, alignment=TA_RIGHT, rightIndent=64)
    story: list[Flowable] = [
        _Masthead(words.issuer, words.number, font),
        Spacer(1, 12 * mm),
        Paragraph(escape(words.title), title),
        Spacer(1, 8 * mm),
        Paragraph(escape(words.addressee), ParagraphStyle("to", parent=body, firstLineIndent=0)),
        *(Paragraph(escape(text), body) for text in words.paragraphs),
        Spacer(1, 16 * mm),
        Paragraph(escape(words.issuer), signed),
        Paragraph(escape(words.date), signed),
    ]
    if words.copy_to:  # 版记: the organ that hands it to the person
        copy = ParagraphStyle("copy", parent=body, fontSize=14, leading=22, firstLineIndent=0)
        story += [Spacer(1, 12 * mm), Paragraph(escape(f"抄送：{words.copy_to}。"), copy)]
    document.build(story)
    return out.getvalue()


class _Masthead(Flowable):  # type: ignore[misc]
    """版头: the issuing organ's name in red, the document number, and the red rule under them."""

    def __init__(self, issuer: str, number: str, font: str) -> None:
        super().__init__()
        self.issuer, self.number, self.font = issuer, number, font
        self.width, self.height = _WIDTH, 34 * mm

    def draw(self) -> None:
        canvas: Canvas = self.canv
        canvas.setFillColor(RED)
        size = min(36.0, _WIDTH / max(len(self.issuer), 1) / 1.05)
        canvas.setFont(self.font, size)
        canvas.drawCentredString(self.width / 2, self.height - size, self.issuer)
        canvas.setFillColor(black)
        canvas.setFont(self.font, 16)
        canvas.drawCentredString(self.width / 2, 8 * mm, self.number)
        canvas.setStrokeColor(RED)
        canvas.setLineWidth(1.2)
        canvas.line(0, 4 * mm, self.width, 4 * mm)
