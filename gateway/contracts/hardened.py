"""The one XML parser for untrusted input: no DTD, no entities, no network, bounded depth and size."""

from lxml import etree

from gateway.errors import ForbiddenXml, MalformedBody

# XML is hostile input: nothing in a message may make the parser fetch, expand or recurse without bound.
PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,  # libxml2's limits stay on: depth 256, text nodes of 10 MB
    remove_pis=True,
    remove_comments=True,  # <Name>王<!-- -->小明</Name> is one text, as the XSD validates it
    strip_cdata=True,
    collect_ids=False,
)

# SOAP 1.1 §3 and SOAP 1.2 part 1 §5: a SOAP message must not contain a document type declaration.
_DOCTYPE = b"<!DOCTYPE"
# Bounds no agency's message comes near (a WCF or CXF envelope declares a dozen namespaces, an element a few
# attributes), which keep a message of tens of thousands of declarations from costing seconds downstream.
MAX_NAMESPACE_DECLARATIONS = 100  # in the whole message (every `xmlns` counts, even one in text)
MAX_ATTRIBUTES = 50  # on one element


def parse_untrusted(body: bytes) -> etree._Element:
    """The root element of `body`, or ForbiddenXml / MalformedBody; a DOCTYPE is refused before parsing."""
    if _DOCTYPE in body:
        raise ForbiddenXml("a DOCTYPE is not allowed in a SOAP message")
    if body.count(b"xmlns") > MAX_NAMESPACE_DECLARATIONS:
        raise ForbiddenXml(f"the message declares more than {MAX_NAMESPACE_DECLARATIONS} namespaces")
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as exc:
        raise MalformedBody(f"the body is not well-formed XML: {exc.msg}") from exc
    # The byte check misses a DOCTYPE in another encoding (UTF-16); the parsed tree does not.
    if root.getroottree().docinfo.doctype:
        raise ForbiddenXml("a DOCTYPE is not allowed in a SOAP message")
    for element in root.iter():
        if len(element.attrib) > MAX_ATTRIBUTES:
            raise ForbiddenXml(f"an element carries more than {MAX_ATTRIBUTES} attributes")
    return root
