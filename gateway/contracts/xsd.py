"""An agency's XSD written from its marshmallow dialect schemas, so the REST and SOAP contracts agree.

The files in `adapters/<agency>/wsdl/` are this module's output; a test keeps them in step.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from lxml import etree
from marshmallow import Schema, fields, validate

from gateway.contracts.dialect import XS, pascal_case
from gateway.contracts.glossary import explain, value_name
from schemas.fields import DISTRICT_PATTERN, PHONE_PATTERN, SHA256_PATTERN

AWARE_DATE_TIME = "AwareDateTime"
_X = f"{{{XS}}}"


@dataclass(frozen=True)
class OperationContract:
    """An operation's request and response, as marshmallow schemas of the agency's dialect."""

    name: str
    request: type[Schema]
    response: type[Schema]
    documentation: str
    example: str | None = None  # the JSON sample in examples/ that the SOAP samples are written from

    @cached_property
    def request_schema(self) -> Schema:
        """One instance of the request schema, made once (marshmallow schemas load concurrently)."""
        return self.request()

    @cached_property
    def response_schema(self) -> Schema:
        """One instance of the response schema, made once."""
        return self.response()


def item_name(list_name: str, field: fields.Field[Any]) -> str:
    """The element name of one item of a list field: `metadata.xml_item`, or the singular."""
    explicit = field.metadata.get("xml_item")
    if explicit:
        return str(explicit)
    if list_name.endswith("ies"):
        return list_name[:-3] + "y"
    return list_name[:-1] if list_name.endswith("s") else list_name + "Item"


class XsdWriter:
    """Collects named types while walking the schemas, then writes one schema document."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self._root = etree.Element(
            _X + "schema",
            nsmap={"xs": XS, "tns": namespace},
            targetNamespace=namespace,
            elementFormDefault="qualified",
        )
        self._types: dict[str, etree._Element] = {}
        self._elements: list[etree._Element] = []

    def add_operations(self, operations: Iterable[OperationContract]) -> None:
        """A request and a response element for each operation."""
        for op in operations:
            self._element(op.name, self.complex_type(op.request), op.documentation)
            self._element(op.name + "Response", self.complex_type(op.response), f"The answer to {op.name}.")

    def add_element(self, name: str, schema: type[Schema], documentation: str) -> None:
        """A global element of a schema's type (e.g. the fault detail)."""
        self._element(name, self.complex_type(schema), documentation)

    def document(self) -> bytes:
        """The schema: elements first, then the types by name."""
        for element in self._elements:
            self._root.append(element)
        for name in sorted(self._types):
            self._root.append(self._types[name])
        return bytes(etree.tostring(self._root, pretty_print=True, xml_declaration=True, encoding="UTF-8"))

    def complex_type(self, schema: type[Schema]) -> str:
        """The named complexType for a schema class, written once."""
        name = schema.__name__.removesuffix("Schema")
        if name not in self._types:
            node = etree.Element(_X + "complexType", name=name)
            self._types[name] = node
            _document(node, schema.__doc__)
            sequence = etree.SubElement(node, _X + "sequence")
            for field_name, field in schema().fields.items():
                text = _explained(name, field_name, field)
                sequence.append(self._field_element(pascal_case(field.data_key or field_name), field, text))
        return "tns:" + name

    def _field_element(self, name: str, field: fields.Field[Any], text: str | None) -> etree._Element:
        node = etree.Element(_X + "element", name=name, minOccurs="1" if field.required else "0")
        if isinstance(field, fields.List):
            node.set("type", self._list_type(name, field, text))
        elif isinstance(field, fields.Nested):
            node.set("type", self.complex_type(_nested_schema(field)))
        else:
            node.set("type", self._simple_type(field))
        _document(node, text)
        return node

    def _list_type(self, name: str, field: fields.List[Any], text: str | None) -> str:
        type_name = name + "List"
        if type_name not in self._types:
            node = etree.Element(_X + "complexType", name=type_name)
            item = self._field_element(item_name(name, field), field.inner, f"其中一项 · one item of: {text}")
            low, high = _length(field)
            item.set("minOccurs", str(low))
            item.set("maxOccurs", "unbounded" if high is None else str(high))
            etree.SubElement(node, _X + "sequence").append(item)
            self._types[type_name] = node
        return "tns:" + type_name

    def _simple_type(self, field: fields.Field[Any]) -> str:
        if isinstance(field, fields.Enum):
            return self._enumeration(field.enum.__name__, [str(member.value) for member in field.enum])
        base = _base_type(field)
        if base == AWARE_DATE_TIME:
            return self._aware_date_time()
        facets = _facets(field)
        if not facets:
            return base
        anonymous = etree.Element(_X + "simpleType")
        restriction = etree.SubElement(anonymous, _X + "restriction", base=base)
        for facet, value in facets:
            etree.SubElement(restriction, _X + facet, value=value)
        return self._named(_stable_name(base, facets), anonymous)

    def _named(self, name: str, simple_type: etree._Element) -> str:
        if name not in self._types:
            simple_type.set("name", name)
            self._types[name] = simple_type
        return "tns:" + name

    def _enumeration(self, name: str, values: list[str]) -> str:
        node = etree.Element(_X + "simpleType")
        restriction = etree.SubElement(node, _X + "restriction", base="xs:string")
        for value in values:
            enumeration = etree.SubElement(restriction, _X + "enumeration", value=value)
            _document(enumeration, value_name(name, value))
        return self._named(name, node)

    def _aware_date_time(self) -> str:
        node = etree.Element(_X + "simpleType")
        _document(node, "An xs:dateTime that carries its UTC offset, e.g. 2026-11-25T09:30:00+08:00.")
        restriction = etree.SubElement(node, _X + "restriction", base="xs:dateTime")
        etree.SubElement(restriction, _X + "pattern", value=r".+(Z|[+\-]\d{2}:\d{2})")
        return self._named(AWARE_DATE_TIME, node)

    def _element(self, name: str, type_name: str, documentation: str) -> None:
        node = etree.Element(_X + "element", name=name, type=type_name)
        _document(node, documentation)
        self._elements.append(node)


def _explained(schema_name: str, field_name: str, field: fields.Field[Any]) -> str:
    """The element's documentation in Chinese and English (gateway.contracts.glossary); enum values are explained on
    their enumeration type."""
    choices = [choice for v in field.validators if isinstance(v, validate.OneOf) for choice in v.choices]
    return explain(schema_name, field_name, field.metadata.get("description"), choices)


def _nested_schema(field: fields.Nested) -> type[Schema]:
    nested = field.nested
    return nested if isinstance(nested, type) else type(nested)  # type: ignore[return-value,unused-ignore]


def _base_type(field: fields.Field[Any]) -> str:
    for kind, base in (
        (fields.Url, "xs:anyURI"),
        (fields.String, "xs:string"),
        (fields.Boolean, "xs:boolean"),
        (fields.AwareDateTime, AWARE_DATE_TIME),
        (fields.DateTime, "xs:dateTime"),
        (fields.Date, "xs:date"),
        (fields.Decimal, "xs:decimal"),
        (fields.Integer, "xs:int"),
    ):
        if isinstance(field, kind):
            return base
    raise TypeError(f"no XSD type for {type(field).__name__}")


def _facets(field: fields.Field[Any]) -> list[tuple[str, str]]:
    """XSD facets for the validators XSD can express; the schema still checks the rest after."""
    facets: list[tuple[str, str]] = []
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            facets += [(f, str(v)) for f, v in (("minLength", validator.min), ("maxLength", validator.max)) if v]
        elif isinstance(validator, validate.OneOf):
            facets += [("enumeration", str(choice)) for choice in validator.choices]
        elif isinstance(validator, validate.Regexp) and _xsd_pattern(validator) in _PATTERN_NAMES:
            facets.append(("pattern", _xsd_pattern(validator)))
        elif isinstance(validator, validate.Range):
            bounds = (("minInclusive", validator.min), ("maxInclusive", validator.max))
            facets += [(facet, str(value)) for facet, value in bounds if value is not None]
    if isinstance(field, fields.Decimal) and isinstance(field.places, Decimal):
        facets.append(("fractionDigits", str(-int(field.places.as_tuple().exponent))))
    return facets


def _stable_name(base: str, facets: list[tuple[str, str]]) -> str:
    """A readable name for a restricted simple type, the same on every run: `StringMax100`, `PhoneNumber`."""
    pattern = next((value for facet, value in facets if facet == "pattern"), None)
    if pattern is not None:
        return _PATTERN_NAMES[pattern]
    if any(facet == "enumeration" for facet, _ in facets):
        return "".join(pascal_case(value) for facet, value in facets if facet == "enumeration") + "Choice"
    words = {"minLength": "Min", "maxLength": "Max", "minInclusive": "From", "maxInclusive": "To"}
    name = base.removeprefix("xs:").capitalize()
    for facet, value in facets:
        name += words.get(facet, "Places") + value.replace(".", "_")
    return name


def _xsd_pattern(validator: validate.Regexp) -> str:
    """XSD patterns are anchored already and know no ^ or $."""
    return str(validator.regex.pattern).removeprefix("^").removesuffix("$")


# The patterns XSD can express the same way; others (no control characters) the dialect schema checks.
_PATTERN_NAMES = {
    PHONE_PATTERN.removeprefix("^").removesuffix("$"): "PhoneNumber",
    SHA256_PATTERN.removeprefix("^").removesuffix("$"): "Sha256Hex",
    DISTRICT_PATTERN.removeprefix("^").removesuffix("$"): "DistrictCode",
}


def _length(field: fields.List[Any]) -> tuple[int, int | None]:
    for validator in field.validators:
        if isinstance(validator, validate.Length):
            return validator.min or 0, validator.max
    return 0, None


def _document(node: etree._Element, text: str | None) -> None:
    if text:
        annotation = etree.SubElement(node, _X + "annotation")
        etree.SubElement(annotation, _X + "documentation").text = " ".join(text.split())
