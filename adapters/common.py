"""Mapping helpers every agency adapter uses for the parts the gateway itself defines."""

from collections.abc import Iterable, Mapping
from typing import Any

from gateway.domain.model import Attachment

EXAMPLE_FIELDS = ("title", "url", "sha256", "media_type")


def to_attachments(items: Iterable[Mapping[str, Any]]) -> tuple[Attachment, ...]:
    """Attachments by reference and digest (claim check)."""
    return tuple(
        Attachment(title=item["title"], uri=item["url"], sha256=item["sha256"], media_type=item.get("media_type"))
        for item in items
    )
