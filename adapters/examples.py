"""The sample messages in examples/, used as OpenAPI examples when the source tree is at hand."""

import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


@cache
def load_example(relative: str) -> Any:
    """The parsed example, or None when the examples are not installed beside the code."""
    path = EXAMPLES_DIR / relative
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
