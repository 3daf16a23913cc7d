"""Text an agency sends must be what a person reads: no control characters, no invisible formatting.

Control characters (C0 and C1, except tab and line breaks in free text) and Unicode format characters
(category Cf: the right-to-left and other direction overrides and isolates, zero-width spaces and joiners,
the byte order mark, the soft hyphen) change how a name or a note displays without being seen: a name
that reads the same as another's but is not, text that runs backwards in a clerk's console or a log.
Private-use characters stay allowed: some systems carry rare characters of Chinese names there.
"""

import unicodedata
from dataclasses import fields, is_dataclass
from typing import Any

LINE_BREAKS = frozenset("\t\n\r")


def hidden_character(text: str) -> str | None:
    """The first control or format character in `text` as U+XXXX, or None; tab and line breaks pass."""
    for char in text:
        if char in LINE_BREAKS:
            continue
        if unicodedata.category(char) in ("Cc", "Cf"):
            return f"U+{ord(char):04X}"
    return None


def hidden_characters(value: Any, path: str = "") -> dict[str, list[str]]:
    """Every text field of a dataclass tree that holds one, by its dotted path, with a message."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        char = hidden_character(value)
        if char is not None:
            found[path] = [f"holds {char}, a control or invisible formatting character; send plain text"]
    elif is_dataclass(value) and not isinstance(value, type):
        for field in fields(value):
            found |= hidden_characters(getattr(value, field.name), f"{path}.{field.name}" if path else field.name)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found |= hidden_characters(item, f"{path}.{index}")
    return found
