"""The DocumentRenderer port with reportlab: official documents as PDF (the page: `gateway.documents.layout`).

reportlab is loaded at a process's first document, and the font found then: a process that writes none (a
gateway worker that only takes notices) carries neither.
"""

import logging
from pathlib import Path

from gateway.documents.wording import Wording, wording
from gateway.errors import DocumentUnwritable
from gateway.service.ports import DocumentFacts

log = logging.getLogger(__name__)

PDF = "application/pdf"
# Debian's Chinese TrueType fonts, in the order they are preferred (宋 / 明 first, as official documents are set).
DEBIAN_CJK_FONTS = (
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)


class NoChineseFont(DocumentUnwritable):
    """No TrueType font with Chinese characters: official documents cannot be written (the decision waits)."""


def find_font(configured: Path | None = None) -> Path:
    """The font to embed: the configured one, else the first of Debian's that is installed."""
    candidates = (configured,) if configured is not None else DEBIAN_CJK_FONTS
    for path in candidates:
        if path is not None and path.is_file():
            return path
    wanted = str(configured) if configured is not None else ", ".join(str(path) for path in DEBIAN_CJK_FONTS)
    raise NoChineseFont(
        f"no Chinese TrueType font at {wanted}: install fonts-wqy-microhei (Debian) or set LAGW_DOCUMENT_FONT"
    )


class PdfRenderer:
    """Official documents as PDF, in one embedded Chinese font."""

    media_type = PDF

    def __init__(self, font: Path | None = None) -> None:
        self._configured = font
        self._font_path: Path | None = None  # found at the first document

    def render(self, facts: DocumentFacts) -> tuple[str, bytes]:
        """The document's title and its PDF."""
        words = wording(facts)
        content = self.layout(words)
        missing = self.missing_characters(words)
        if missing:  # a name the font cannot draw would print without it: never issue that silently
            log.warning("the document font has no glyph for %d character(s) of a %s", len(missing), facts.kind.value)
        return words.title, content

    def missing_characters(self, words: Wording) -> set[str]:
        """The characters of the words the embedded font cannot draw."""
        from gateway.documents import layout

        return layout.missing_characters(words, self._font())

    def layout(self, words: Wording) -> bytes:
        """The PDF of a document's words."""
        from gateway.documents import layout

        return layout.layout(words, self._font())

    def _font(self) -> Path:
        if self._font_path is None:
            self._font_path = find_font(self._configured)
        return self._font_path
