"""Parse the three vendored error-code documents into rows, at first use.

The documents in data/ are byte-for-byte the vendors' pages (shared/docs/). Parsing them, rather
than transcribing, keeps every typo the venue really sends ("exsit", "warnning") and makes a change
of document a change of data, not of code. Columns are found by their titles, because the futures
pages put the message first and the spot page puts it last (and its WebSocket table has no status).

BitMart (both hosts) answers with codes from its futures and its spot/account documents; WOO X Pro
documents only its own table. `candidates` gives every documented row of a code: 30006, 30007 and
60000 have several messages, and the diagnosis picks among them by the body's message.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from functools import cache

DOCUMENTS = {
    "bitmart": "bitmart-error-codes.md",  # futures v2 (contract) and authentication
    "bitmart-spot": "bitmart-spot-account-error-codes.md",  # spot, margin, account, WebSocket (and authentication again)
    "wooxpro": "wooxpro-error-codes.md",
}
FAMILY_DOCUMENTS = {"bitmart": ("bitmart", "bitmart-spot"), "wooxpro": ("wooxpro",)}
_SECTIONS = {
    "List of global HTTP return codes": "http",
    "Global HTTP return codes": "http",
    "Authentication Error Code": "auth",
    "Contract API Error Code": "contract",
    "Funding Account&Sub-Account API Error Code": "funding",
    "Spot Public Mark API Error Code": "spot-public",
    "Spot&Margin API Error Code": "spot",
    "WebSocket Error Code": "websocket",
}
_ESCAPE = r"\\([\\`*_{}\[\]()#+\-.!|])"
_EXAMPLE = r"Example:\s*httpStatus:(\d+),\s*body:\s*`?(.*?)`?\s*$"


class Row(namedtuple("Row", "venue table code message http_status document", defaults=("",))):
    """One documented row. venue: the family ("bitmart" | "wooxpro"); table: "http" | "auth" | "contract" |
    "funding" | "spot-public" | "spot" | "websocket"; code: the API code, or the HTTP status for rows of the
    global HTTP table; message: verbatim, markdown escapes removed; http_status: the documented HTTP status,
    None for WebSocket codes (they come in a frame); document: which document (a key of DOCUMENTS).
    A named tuple, not a dataclass: see tui.catalog.advice_base.Advice."""

    __slots__ = ()


class Example(namedtuple("Example", "venue table http_status body")):
    """The "Example:" line above a table, with the HTTP status and body it shows."""

    __slots__ = ()


def unescape(text: str) -> str:
    # Most cells hold no escape: skip the substitution (a start-up reads some 300 cells).
    return re.sub(_ESCAPE, r"\1", text) if "\\" in text else text


def document_path(document: str) -> str:
    # A plain path beside this module, not importlib.resources: that import alone (pathlib, tempfile, zipfile)
    # cost `keyprobe decode` about a third of its start-up; the package is always installed as files.
    return os.path.join(os.path.dirname(__file__), "data", DOCUMENTS[document])


def document_text(document: str) -> str:
    with open(document_path(document), encoding="utf-8") as f:
        return f.read()


def family_of_document(document: str) -> str:
    return next(f for f, docs in FAMILY_DOCUMENTS.items() if document in docs)


def _cells(line: str) -> list[str]:
    parts = line.strip().split("|")
    if parts and parts[0].strip() == "":
        parts = parts[1:]
    if parts and parts[-1].strip() == "":
        parts = parts[:-1]
    return [unescape(p.strip()) for p in parts]


def _columns(titles: list[str]) -> dict[str, int]:
    """Which cell holds the code, the status and the message, from the header row's titles."""
    found: dict[str, int] = {}
    for i, title in enumerate(t.lower() for t in titles):
        if "http" in title:
            found.setdefault("status", i)
        elif "code" in title:
            found.setdefault("code", i)
        elif "message" in title or "description" in title or "msg" in title:
            found.setdefault("message", i)
    return found


@cache
def parse(document: str) -> tuple[tuple[Row, ...], tuple[Example, ...]]:
    """The document's rows and examples: read back from the last parse (tui/catalog/rows_cache.py), else parsed."""
    from tui.catalog import rows_cache

    path = document_path(document)
    try:
        key = rows_cache.key(path, __file__)
    except OSError:
        key = None
    kept = rows_cache.load(path, key) if key is not None else None
    if kept is not None:
        return tuple(map(Row._make, kept[0])), tuple(map(Example._make, kept[1]))
    rows, examples = _parse(document)
    if key is not None:
        rows_cache.store(path, key, [tuple(r) for r in rows], [tuple(e) for e in examples])
    return rows, examples


def _parse(document: str) -> tuple[tuple[Row, ...], tuple[Example, ...]]:
    family = family_of_document(document)
    rows: list[Row] = []
    examples: list[Example] = []
    table: str | None = None
    columns: dict[str, int] | None = None
    for line in document_text(document).splitlines():
        if line.startswith("#"):
            table, columns = _SECTIONS.get(line.lstrip("#").strip()), None
            continue
        if table is None:
            continue
        if line.startswith("Example:"):
            m = re.match(_EXAMPLE, line)
            if m:
                examples.append(Example(family, table, int(m.group(1)), unescape(m.group(2))))
            continue
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if columns is None:
            columns = _columns(cells)  # the column titles
            continue
        if all(not c.strip(":- ") for c in cells):
            continue  # the delimiter row
        message = cells[columns["message"]]
        status = int(cells[columns["status"]]) if "status" in columns else None
        code = status if table == "http" else int(cells[columns["code"]])
        rows.append(Row(family, table, code, message, status, document))
    return tuple(rows), tuple(examples)


def rows(document: str) -> tuple[Row, ...]:
    """The rows of one document ("bitmart", "bitmart-spot" or "wooxpro"), in its order."""
    return parse(document)[0]


def examples(document: str) -> tuple[Example, ...]:
    return parse(document)[1]


@cache
def family_rows(family: str) -> tuple[Row, ...]:
    """Every row a venue family's documents hold, a row repeated across them (1000 OK, the authentication
    table, the HTTP table) kept once, the first document's copy."""
    seen: set[tuple[bool, int, str, int | None]] = set()
    out: list[Row] = []
    for document in FAMILY_DOCUMENTS[family]:
        for row in rows(document):
            key = (row.table == "http", row.code, row.message, row.http_status)
            if key not in seen:
                seen.add(key)
                out.append(row)
    return tuple(out)


@cache
def _index(family: str) -> dict[int, tuple[Row, ...]]:
    index: dict[int, list[Row]] = {}
    for row in family_rows(family):
        if row.table != "http":
            index.setdefault(row.code, []).append(row)
    return {code: tuple(found) for code, found in index.items()}


def candidates(family: str, code: int) -> tuple[Row, ...]:
    """Every documented row of an API code for this family (several for 30006, 30007, 60000), or ()."""
    return _index(family).get(code, ())


def lookup(family: str, code: int) -> Row | None:
    """The first documented row of an API code (1000, 30xxx, 4xxxx, and for BitMart 5xxxx-9xxxx), or None."""
    found = candidates(family, code)
    return found[0] if found else None


def http_row(family: str, status: int | None) -> Row | None:
    """The global HTTP table's row for a status (404, 403, 401, 500), if any (None for no status)."""
    return next((r for r in family_rows(family) if r.table == "http" and r.code == status), None)
