"""Personal data helpers: masks for logs and displays, keyed hashes for indexes."""

import hashlib
import hmac
import unicodedata


def mask_name(name: str | None) -> str:
    """Keep the family name's first character only: 张三丰 -> 张**."""
    if not name:
        return "-"
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(number: str | None) -> str:
    """Keep the first 3 and last 2 characters: 110105********002X -> 110*************2X."""
    if not number:
        return "-"
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def keyed_digest(key: bytes, value: str) -> str:
    """HMAC-SHA256 of a personal identifier, for an index that never holds the clear value."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def normalize_name(name: str) -> str:
    """A name as the search index keys it: NFKC, no white space, case folded (张 三 = 张三, ＬＩ = li)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def name_index(key: bytes, name: str) -> str:
    """Blind index of a whole name: finds the person by name without storing or scanning the name."""
    return keyed_digest(key, f"search-name:{normalize_name(name)}")


def id_tail_index(key: bytes, text: str) -> str:
    """Blind index of an ID number's last 4 characters (or of 4 characters searched for)."""
    return keyed_digest(key, f"search-id-tail:{normalize_name(text)[-4:].upper()}")
