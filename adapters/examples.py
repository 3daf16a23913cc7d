"""Each agency's sample messages, in adapters/<agency>/examples/: OpenAPI examples, SOAP samples, the demo."""

import json
from functools import cache
from pathlib import Path
from typing import Any

ADAPTERS_DIR = Path(__file__).resolve().parent


def sample_path(relative: str) -> Path:
    """`<agency>/<file>` as the path of that agency's sample, e.g. `police/defense-notices.json`."""
    agency, _, name = relative.partition("/")
    return ADAPTERS_DIR / agency / "examples" / name


def sample_paths(pattern: str) -> list[Path]:
    """Every agency's samples whose file name matches `pattern` (e.g. `*.json`), sorted."""
    return sorted(ADAPTERS_DIR.glob(f"*/examples/{pattern}"))


@cache
def load_example(relative: str) -> Any:
    """The parsed sample, or None when the samples are not installed beside the code."""
    path = sample_path(relative)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
