"""SOAP 1.1 and 1.2 envelopes: which version a request speaks, what it carries, how to answer it."""

from collections.abc import Collection
from dataclasses import dataclass

from lxml import etree

from gateway.errors import InvalidInput, MalformedBody, MustUnderstand, UnknownOperation, VersionMismatch


@dataclass(frozen=True)
class SoapVersion:
    """What differs between SOAP 1.1 and SOAP 1.2 on the wire."""

    name: str
    namespace: str
    media_type: str
    prefix: str
    sender_fault: str  # the caller's mistake
    receiver_fault: str  # ours
    actor_attribute: str

    def qname(self, local: str) -> str:
        """A name in this version's envelope namespace."""
        return f"{{{self.namespace}}}{local}"


SOAP11 = SoapVersion(
    "1.1", "http://schemas.xmlsoap.org/soap/envelope/", "text/xml", "soap", "Client", "Server", "actor"
)
SOAP12 = SoapVersion(
    "1.2", "http://www.w3.org/2003/05/soap-envelope", "application/soap+xml", "env", "Sender", "Receiver", "role"
)
VERSIONS = (SOAP11, SOAP12)

# Header blocks aimed at these roles are ours to process (SOAP 1.1 §4.2.2, SOAP 1.2 part 1 §2.2).
_OUR_ROLES = {
    "http://schemas.xmlsoap.org/soap/actor/next",
    "http://www.w3.org/2003/05/soap-envelope/role/next",
    "http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver",
}


@dataclass(frozen=True)
class Envelope:
    """A request envelope taken apart."""

    version: SoapVersion
    header: etree._Element | None
    operation: etree._Element


def version_for(media_type: str) -> SoapVersion | None:
    """The SOAP version a request's media type declares, if it is a SOAP media type."""
    return next((version for version in VERSIONS if version.media_type == media_type), None)


def open_envelope(root: etree._Element, version: SoapVersion, understood: Collection[str]) -> Envelope:
    """Header and the one Body element; faults for a wrong version or a header we must but cannot process."""
    name = etree.QName(root)
    if name.localname != "Envelope":
        raise MalformedBody(f"the root element is {name.localname}, not a SOAP Envelope")
    if name.namespace != version.namespace:
        raise VersionMismatch(
            f"a {version.media_type} request must carry a SOAP {version.name} envelope ({version.namespace}), "
            f"not one in {name.namespace or 'no namespace'}"
        )
    children = [child for child in root if isinstance(child.tag, str)]
    header = children[0] if children and children[0].tag == version.qname("Header") else None
    bodies = children[1:] if header is not None else children
    if len(bodies) != 1 or bodies[0].tag != version.qname("Body"):
        raise MalformedBody("the Envelope must hold an optional Header and then exactly one Body")
    if header is not None:
        _check_must_understand(header, version, understood)
    operations = [child for child in bodies[0] if isinstance(child.tag, str)]
    if not operations:
        raise UnknownOperation("the SOAP Body is empty; send one operation element")
    if len(operations) > 1:
        raise InvalidInput("the SOAP Body must hold exactly one operation element (document/literal wrapped)")
    return Envelope(version=version, header=header, operation=operations[0])


def is_for_us(block: etree._Element, version: SoapVersion) -> bool:
    """Whether a header block targets the ultimate receiver (no actor/role, or next/ultimateReceiver)."""
    role = block.get(version.qname(version.actor_attribute))
    return role is None or role in _OUR_ROLES


def must_understand(block: etree._Element, version: SoapVersion) -> bool:
    """Whether a header block is marked mustUnderstand."""
    return block.get(version.qname("mustUnderstand")) in ("1", "true")


def _check_must_understand(header: etree._Element, version: SoapVersion, understood: Collection[str]) -> None:
    for block in header:
        if not isinstance(block.tag, str) or block.tag in understood or not is_for_us(block, version):
            continue
        if must_understand(block, version):
            raise MustUnderstand(f"the header block {block.tag} is marked mustUnderstand and is not processed here")


def response_envelope(
    version: SoapVersion, payload: etree._Element, headers: Collection[etree._Element] = (), prefix: str | None = None
) -> bytes:
    """An envelope around `payload` (and header blocks, for a request), with the envelope prefix given."""
    envelope = etree.Element(version.qname("Envelope"), nsmap={prefix or version.prefix: version.namespace})
    if headers:
        header = etree.SubElement(envelope, version.qname("Header"))
        header.extend(headers)
    etree.SubElement(envelope, version.qname("Body")).append(payload)
    return bytes(etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"))
