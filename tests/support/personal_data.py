"""The names and ID numbers the tests use, and a matcher that finds them (or any valid ID number) in text.

Collected from the people in examples/ (JSON and SOAP samples), every 18-character ID number written in the
tests' sources (valid or not), and `register`, which tests that invent people call. A match is also found
URL-encoded (an access log's query string) or JSON-escaped.
"""

import functools
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import etree

from adapters.examples import sample_paths
from gateway.domain.resident_id import check_character

ROOT = Path(__file__).resolve().parents[2]

# Keys that mark a dict (or an XML element, in snake_case) as a person's particulars.
_PERSON_KEYS = {"birth_date", "date_of_birth", "gender", "sex", "id_type", "identity", "id_number", "id_no"}
_NAME_KEYS = {"name", "full_name"}
_ID_KEYS = {"id_number", "id_no", "number"}
_ID_WRITTEN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID_SHAPED = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")

_registered: set[str] = set()
_matchers: dict[str, Any] = {}


def register(*values: str) -> None:
    """Add names or ID numbers a test uses to what every log line is checked for."""
    _registered.update(value for value in values if value)


@functools.cache
def people_in_examples() -> frozenset[str]:
    """Every person's name and ID number in examples/."""
    found: set[str] = set()
    for path in sample_paths("*.json"):
        found.update(_people(json.loads(path.read_text(encoding="utf-8"))))
    for path in sample_paths("*.xml"):
        found.update(_people(_xml_as_dict(etree.fromstring(path.read_bytes()))))
    return frozenset(found)


@functools.cache
def ids_in_test_sources() -> frozenset[str]:
    """Every ID number written in the tests, invalid ones included (a refused number must not be logged)."""
    found: set[str] = set()
    for path in sorted((ROOT / "tests").rglob("*.py")):
        found.update(match.group() for match in _ID_WRITTEN.finditer(path.read_text(encoding="utf-8")))
    return frozenset(found)


def known_values() -> frozenset[str]:
    """The examples' people, the tests' ID numbers and every registered value."""
    return people_in_examples() | ids_in_test_sources() | _registered


def current_matcher() -> "LeakMatcher":
    """A matcher over the values known now; rebuilt only after `register` adds one."""
    values = known_values()
    if _matchers.get("values") != values:
        _matchers["values"], _matchers["matcher"] = values, LeakMatcher(values)
    matcher: LeakMatcher = _matchers["matcher"]
    return matcher


class LeakMatcher:
    """Finds known personal data, and any ID number with a valid GB 11643 check character, in a line."""

    def __init__(self, values: Iterable[str]) -> None:
        variants = {variant for value in values for variant in _variants(value)}
        alternatives = "|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True))
        self._known = re.compile(alternatives, re.IGNORECASE) if alternatives else None

    def find(self, line: str) -> list[str]:
        """The personal data in `line`, as written there."""
        found = [match.group() for match in self._known.finditer(line)] if self._known else []
        found += [match.group() for match in _ID_SHAPED.finditer(line) if _valid_id(match.group())]
        return found

    def mask(self, line: str) -> str:
        """`line` with every finding masked (its first character kept)."""
        for value in sorted(set(self.find(line)), key=len, reverse=True):
            line = line.replace(value, value[:1] + "*" * (len(value) - 1))
        return line


def _variants(value: str) -> set[str]:
    escaped = json.dumps(value)[1:-1]
    return {value, quote(value), quote(value).lower(), escaped, escaped.upper()}


def _valid_id(text: str) -> bool:
    return check_character(text[:17]) == text[17].upper()


def _people(document: Any) -> Iterator[str]:
    if isinstance(document, list):
        for item in document:
            yield from _people(item)
    elif isinstance(document, dict):
        if _PERSON_KEYS & set(document):
            yield from (str(document[key]) for key in _NAME_KEYS & set(document) if document[key])
            yield from (str(document[key]) for key in _ID_KEYS & set(document) if document[key])
            identity = document.get("identity")
            if isinstance(identity, dict) and identity.get("number"):
                yield str(identity["number"])
        for value in document.values():
            yield from _people(value)


def _xml_as_dict(element: Any) -> Any:
    children = [child for child in element if isinstance(child.tag, str)]
    if not children:
        return (element.text or "").strip()
    return {_snake(etree.QName(child).localname): _xml_as_dict(child) for child in children}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
