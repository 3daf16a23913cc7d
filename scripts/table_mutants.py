"""Mutants of the law's tables and data files, which mutmut (it mutates function bodies) does not touch.

Each mutant is one small change to one table: an element or entry removed, an enum member replaced by the
next of its kind, a number moved by one, two neighbouring characters of a character table swapped, a routing
entry removed or pointed at another centre, a day added to the calendar overrides.
"""

import ast
import enum
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Module-level tables, by file; character tables get every neighbouring pair swapped.
TABLES = {
    "gateway/domain/resident_id.py": ("_WEIGHTS", "_CHECK_CHARS"),
    "gateway/domain/lifecycle.py": ("_OPEN", "_APPLICATION", "RULES", "CLOCK_RUNNING"),
    "gateway/rules/authorization.py": ("TRIAL",),
    "gateway/rules/grounds.py": ("_ONLY_FROM", "_SENSORY"),
    "gateway/rules/linking.py": ("STAGE_ORDER", "ENDED"),
    "gateway/service/transitions.py": ("NOTIFIED_EVENTS",),
}
CHARACTER_TABLES = {"_CHECK_CHARS"}
ROUTING = "gateway/rules/data/routing.toml"
CALENDAR = "gateway/rules/data/calendar_overrides.toml"
# Days an override could wrongly add: a make-up working day and an ordinary Friday as rest days, a holiday
# and an ordinary Saturday as working days (2026).
CALENDAR_DAYS = (("rest_days", "2026-10-10"), ("rest_days", "2026-11-27"), ("working_days", "2026-10-05"),
                 ("working_days", "2026-11-28"))  # fmt: skip
# Each agency folder's permissions (its row of the authorization matrix), found as the registry finds them.
AGENCY_TABLES = ("PERMISSIONS", "_STAGES", "_HELD")
COLLECTIONS = {"at"}  # calls whose arguments are a table's elements (others' arguments are not removed)
ENUM_MODULES = ("gateway.domain.enums", "gateway.domain.lifecycle")


@dataclass(frozen=True)
class Mutant:
    """One changed copy of one file."""

    key: str  # stable while the table is unchanged: "<file>::<table>#<n>"
    path: str
    change: str  # what a reader sees: "PERMISSIONS: Stage.RETRIAL → Stage.DEATH_PENALTY_REVIEW"
    text: bytes


def table_mutants(root: Path) -> Iterator[Mutant]:
    """Every mutant of every table and data file under `root`."""
    members = _enum_members()
    agencies = {str(path.relative_to(root)): AGENCY_TABLES for path in sorted((root / "adapters").glob("*/agency.py"))}
    for path, names in {**TABLES, **agencies}.items():
        source = (root / path).read_bytes()
        for name in names:
            for number, (change, text) in enumerate(_mutate_table(source, name, members)):
                yield Mutant(f"{path}::{name}#{number}", path, f"{name}: {change}", text)
    yield from _routing_mutants(root)
    yield from _calendar_mutants(root)


def _enum_members() -> dict[str, list[str]]:
    """Enum classes by the names the tables use (including aliases such as `S`), with their members."""
    found: dict[str, list[str]] = {}
    for module_name in ENUM_MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value is not enum.Enum:
                found.setdefault(name, [member.name for member in value])
    return found


def _mutate_table(source: bytes, name: str, members: dict[str, list[str]]) -> Iterator[tuple[str, bytes]]:
    """(change, mutated source) for every mutant of the table `name` in `source` (none if it has no such table)."""
    value = next(
        (
            node.value
            for node in ast.parse(source).body
            if isinstance(node, (ast.Assign, ast.AnnAssign))
            and node.value is not None
            and any(isinstance(t, ast.Name) and t.id == name for t in _targets(node))
        ),
        None,
    )
    if value is None:
        return
    text = _Source(source)
    for node in ast.walk(value):
        yield from _removals(text, node)
        yield from _enum_swaps(text, node, members)
        yield from _constant_changes(text, node, swap_characters=name in CHARACTER_TABLES)


@dataclass(frozen=True)
class _Source:
    """A module's bytes, cut and patched by the AST's positions (which count UTF-8 bytes)."""

    data: bytes

    def span(self, node: ast.AST) -> tuple[int, int]:
        offsets = _line_offsets(self.data)
        start = offsets[node.lineno - 1] + node.col_offset  # type: ignore[attr-defined]
        end = offsets[node.end_lineno - 1] + node.end_col_offset  # type: ignore[attr-defined]
        return start, end

    def replaced(self, start: int, end: int, new: bytes) -> bytes:
        return self.data[:start] + new + self.data[end:]


def _removals(text: _Source, node: ast.AST) -> Iterator[tuple[str, bytes]]:
    """Each element of a tuple, list, set, `_at(...)` call or dict removed, with its separator."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [text.span(e) for e in node.elts]
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in COLLECTIONS:
        items = [text.span(a) for a in node.args]
    elif isinstance(node, ast.Dict):
        items = [(text.span(k)[0], text.span(v)[1]) for k, v in zip(node.keys, node.values, strict=True) if k]
    else:
        return
    for index, (start, end) in enumerate(items):
        removed = text.data[start:end].decode()
        if index + 1 < len(items):
            end = items[index + 1][0]
        elif index > 0:
            start = items[index - 1][1]
        yield f"{_short(removed)} removed", text.replaced(start, end, b"")


def _enum_swaps(text: _Source, node: ast.AST, members: dict[str, list[str]]) -> Iterator[tuple[str, bytes]]:
    """An enum member replaced by the next member of its enum."""
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in members):
        return
    names = members[node.value.id]
    if node.attr in names:
        other = f"{node.value.id}.{names[(names.index(node.attr) + 1) % len(names)]}"
        yield f"{node.value.id}.{node.attr} → {other}", text.replaced(*text.span(node), other.encode())


def _constant_changes(text: _Source, node: ast.AST, *, swap_characters: bool) -> Iterator[tuple[str, bytes]]:
    """A number moved by one; a string marked, or in a character table each neighbouring pair swapped."""
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return
    start, end = text.span(node)
    if isinstance(node.value, int):
        yield f"{node.value} → {node.value + 1}", text.replaced(start, end, str(node.value + 1).encode())
    elif isinstance(node.value, str) and swap_characters:
        value = node.value
        for i in range(len(value) - 1):
            swapped = value[:i] + value[i + 1] + value[i] + value[i + 2 :]
            if swapped != value:
                yield f"{value!r} → {swapped!r}", text.replaced(start, end, repr(swapped).encode())
    elif isinstance(node.value, str):
        yield f"{node.value!r} → {'XX' + node.value!r}", text.replaced(start, end, repr("XX" + node.value).encode())


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _line_offsets(source: bytes) -> list[int]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


_ROUTE = re.compile(rb'^"(\d{4,6})" = "(\w+)"$', re.MULTILINE)


def _routing_mutants(root: Path) -> Iterator[Mutant]:
    source = (root / ROUTING).read_bytes()
    centres = sorted(set(re.findall(rb"^(lac\w+) = ", source, re.MULTILINE)))
    for number, match in enumerate(_ROUTE.finditer(source)):
        code, centre = match.group(1).decode(), match.group(2)
        other = centres[(centres.index(centre) + 1) % len(centres)]
        start, end = match.span()
        yield Mutant(
            f"{ROUTING}::route#{number}a", ROUTING, f"route {code} removed", source[:start] + source[end + 1 :]
        )
        moved = match.group(0).replace(centre, other)
        yield Mutant(
            f"{ROUTING}::route#{number}b",
            ROUTING,
            f"route {code} → {other.decode()}",
            source[:start] + moved + source[end:],
        )


def _calendar_mutants(root: Path) -> Iterator[Mutant]:
    source = (root / CALENDAR).read_bytes()
    for number, (key, day) in enumerate(CALENDAR_DAYS):
        line = re.compile(rb"^" + key.encode() + rb" = \[", re.MULTILINE)
        text = line.sub(f"{key} = [{day}, ".encode(), source, count=1)
        yield Mutant(f"{CALENDAR}::{key}#{number}", CALENDAR, f"{day} added to {key}", text)
