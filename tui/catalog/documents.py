"""Parse the two vendored error-code documents into rows, at first use.

The documents in data/ are byte-for-byte the vendors' pages (shared/docs/). Parsing them, rather
than transcribing, keeps every typo the venue really sends ("exsit", "warnning") and makes a change
of document a change of data, not of code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

DOCUMENTS = {"bitmart": "bitmart-error-codes.md", "wooxpro": "wooxpro-error-codes.md"}
_SECTIONS = (
    ("List of global HTTP return codes", "http"),
    ("Authentication Error Code", "auth"),
    ("Contract API Error Code", "contract"),
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


@dataclass(frozen=True)
class Row:
    venue: str  # "bitmart" | "wooxpro"
    table: str  # "http" | "auth" | "contract"
    code: int  # the API code, or the HTTP status for rows of the global HTTP table
    message: str  # verbatim, markdown escapes removed
    http_status: int  # the documented HTTP status


@dataclass(frozen=True)
class Example:
    """The "Example:" line above a table, with the HTTP status and body it shows."""

    venue: str
    table: str
    http_status: int
    body: str


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def document_text(venue: str) -> str:
    return resources.files("tui.catalog").joinpath("data", DOCUMENTS[venue]).read_text(encoding="utf-8")


def _cells(line: str) -> list[str]:
    parts = line.strip().split("|")
    if parts and parts[0].strip() == "":
        parts = parts[1:]
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    return [unescape(p.strip()) for p in parts]


@cache
def parse(venue: str) -> tuple[tuple[Row, ...], tuple[Example, ...]]:
    rows: list[Row] = []
    examples: list[Example] = []
    table: str | None = None
    seen_header = False
    for line in document_text(venue).splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            table = next((t for title, t in _SECTIONS if heading == title), None)
            seen_header = False
            continue
        if table is None:
            continue
        if line.startswith("Example:"):
            m = re.match(r"Example:\s*httpStatus:(\d+),\s*body:\s*`?(.*?)`?\s*$", line)
            if m:
                examples.append(Example(venue, table, int(m.group(1)), unescape(m.group(2))))
            continue
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if not seen_header:
            seen_header = True  # the column titles
            continue
        if all(set(c) <= set(":- ") for c in cells):
            continue  # the delimiter row
        if table == "http":
            status, description = cells
            rows.append(Row(venue, table, int(status), description, int(status)))
        else:
            message, code, status = cells
            rows.append(Row(venue, table, int(code), message, int(status)))
    return tuple(rows), tuple(examples)


def rows(venue: str) -> tuple[Row, ...]:
    return parse(venue)[0]


def examples(venue: str) -> tuple[Example, ...]:
    return parse(venue)[1]


@cache
def _index(venue: str) -> dict[int, Row]:
    return {r.code: r for r in rows(venue) if r.table != "http"}


def lookup(venue: str, code: int) -> Row | None:
    """The documented row of an API code (1000, 30xxx, 4xxxx), or None when the document lacks it."""
    return _index(venue).get(code)


def http_row(venue: str, status: int) -> Row | None:
    """The global HTTP table's row for a status (404, 403, 401, 500), if any."""
    return next((r for r in rows(venue) if r.table == "http" and r.code == status), None)
