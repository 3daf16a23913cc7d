"""Text an agency sends must be what a person reads: no control characters, no invisible formatting.

Control characters (C0 and C1, except tab and line breaks in free text) and Unicode format characters
(category Cf: the right-to-left and other direction overrides and isolates, zero-width spaces and joiners,
the byte order mark, the soft hyphen) change how a name or a note displays without being seen: a name
that reads the same as another's but is not, text that runs backwards in a clerk's console or a log.
Private-use characters stay allowed: some systems carry rare characters of Chinese names there.
"""

import re
import sys
import unicodedata
from dataclasses import fields, is_dataclass
from functools import cache
from typing import Any

LINE_BREAKS = frozenset("\t\n\r")


def _hidden_ranges() -> str:
    """A regular expression class of every Cc and Cf character of this Python's Unicode database but the breaks."""
    hidden = [
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf") and chr(code) not in LINE_BREAKS
    ]
    ranges, start = [], hidden[0]
    for previous, code in zip(hidden, [*hidden[1:], -1], strict=True):
        if code != previous + 1:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous != start else ""))
            start = code
    return "[" + "".join(ranges) + "]"


@cache
def _hidden() -> re.Pattern[str]:
    return re.compile(_hidden_ranges())  # built once, at the first text checked


def hidden_character(text: str) -> str | None:
    """The first control or format character in `text` as U+XXXX, or None; tab and line breaks pass."""
    found = _hidden().search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


@cache
def field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class."""
    return tuple(field.name for field in fields(cls))


def hidden_characters(value: Any, path: str = "") -> dict[str, list[str]]:
    """Every text field of a dataclass tree that holds one, by its dotted path, with a message."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        char = hidden_character(value)
        if char is not None:
            found[path] = [f"holds {char}, a control or invisible formatting character; send plain text"]
    elif is_dataclass(value) and not isinstance(value, type):
        for name in field_names(type(value)):
            found |= hidden_characters(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found |= hidden_characters(item, f"{path}.{index}")
    return found
