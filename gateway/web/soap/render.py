"""A dumped marshmallow document as XML in a service's namespace: the inverse of `dialect.to_dialect`."""

from collections.abc import Mapping
from typing import Any

from lxml import etree
from marshmallow import Schema, fields

from gateway.contracts.dialect import pascal_case
from gateway.contracts.xsd import item_name


def render_element(
    namespace: str, name: str, schema: Schema, data: Mapping[str, Any], prefix: str | None = "tns"
) -> etree._Element:
    """`<name>` with a child per field in the schema's order (the XSD sequence); None is left out."""
    node = etree.Element(f"{{{namespace}}}{name}", nsmap={prefix: namespace})
    for field_name, field in schema.fields.items():
        value = data.get(field.data_key or field_name)
        if value is None:
            continue
        child = pascal_case(field.data_key or field_name)
        if isinstance(field, fields.List):
            container = etree.SubElement(node, f"{{{namespace}}}{child}")
            for item in value:
                _append(namespace, container, item_name(child, field), field.inner, item)
        else:
            _append(namespace, node, child, field, value)
    return node


def _append(namespace: str, parent: etree._Element, name: str, field: fields.Field[Any], value: Any) -> None:
    if isinstance(field, fields.Nested):
        parent.append(render_element(namespace, name, field.schema, value))
    else:
        etree.SubElement(parent, f"{{{namespace}}}{name}").text = _lexical(value)


def _lexical(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
