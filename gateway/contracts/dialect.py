"""An agency's SOAP elements as its REST dialect: `<Defendant><IdNumber>` is `defendant.id_number`.

Each agency's XSD names its elements as its REST dialect names its fields, in PascalCase, so one
marshmallow schema and one mapping serve both transports and give the same canonical request.
"""

import re
from functools import lru_cache
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
_NS = {"xs": XS}
_WORD_BOUNDARY = re.compile(r"(?<!^)(?=[A-Z])")


@lru_cache(maxsize=4096)  # an agency's element names, a few hundred
def snake_case(name: str) -> str:
    """`IdNumber` -> `id_number`."""
    return _WORD_BOUNDARY.sub("_", name).lower()


def pascal_case(name: str) -> str:
    """`id_number` -> `IdNumber`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def list_elements(xsd: etree._ElementTree) -> frozenset[str]:
    """Names of elements whose type is a list: a complexType whose sequence is one repeating element."""
    list_types = set()
    for complex_type in xsd.iterfind(".//xs:complexType[@name]", _NS):
        particles = list(complex_type.iterfind("xs:sequence/*", _NS))
        if len(particles) == 1 and particles[0].get("maxOccurs", "1") != "1":
            list_types.add(complex_type.get("name"))
    return frozenset(
        str(element.get("name"))
        for element in xsd.iterfind(".//xs:element[@type]", _NS)
        if str(element.get("type")).rpartition(":")[2] in list_types
    )


def to_dialect(element: etree._Element, lists: frozenset[str]) -> Any:
    """The element's content as the REST dialect's JSON would carry it (text stays text)."""
    children = [child for child in element if isinstance(child.tag, str)]
    if _local_name(element.tag) in lists:
        return [to_dialect(child, lists) for child in children]
    if not children:
        return "".join(element.itertext())
    return {snake_case(_local_name(child.tag)): to_dialect(child, lists) for child in children}


def _local_name(tag: str) -> str:
    """`{namespace}Name` -> `Name`, as lxml's QName gives it, without making one."""
    return tag.rpartition("}")[2]


def element_path(operation: str, dialect_path: str) -> str:
    """A REST dialect path as the XPath of the SOAP element: `charges.0` -> `/NotifyDefense/Charges/*[1]`."""
    steps = [operation]
    for part in dialect_path.split("."):
        if part.isdigit():
            steps.append(f"*[{int(part) + 1}]")
        elif part not in ("_schema", "body"):
            steps.append(pascal_case(part))
    return "/" + "/".join(steps)


def schema_error_path(path: str | None, operation: str) -> str:
    """lxml's path of an XSD error from the operation element down, without namespace prefixes."""
    steps = [re.sub(r"^[\w.-]+:", "", step) for step in (path or "").split("/") if step]
    if operation in steps:
        steps = steps[steps.index(operation) :]
    return "/" + "/".join(steps) if steps else "/" + operation
