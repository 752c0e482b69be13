"""The rows of the three error-code documents, read with regexes written here, independently of
tui/catalog/documents.py, so a parser bug cannot hide behind its own output.

It reads the vendored copies in the repository (a newcomer's clone has nothing else); where the
shared originals sit beside the repository, test_catalog also checks the copies are byte-identical.
The futures pages put the message first (`| message | code | status`); the spot/account page puts it
last (`| code | status | message |`), and its WebSocket table has no status.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "tui" / "catalog" / "data"
SHARED = next((p / "shared" / "docs" for p in ROOT.parents if (p / "shared" / "docs").is_dir()), ROOT / "no-shared-docs")
FILES = {"bitmart": "bitmart-error-codes.md", "bitmart-spot": "bitmart-spot-account-error-codes.md",
         "wooxpro": "wooxpro-error-codes.md"}
FAMILY_FILES = {"bitmart": ("bitmart", "bitmart-spot"), "wooxpro": ("wooxpro",)}

CODE_ROW = re.compile(r"^\|\s*(?P<message>.+?)\s*\|\s*(?P<code>\d+)\s*\|\s*(?P<status>\d{3})\s*\|?\s*$")
HTTP_ROW = re.compile(r"^\|\s*(?P<status>\d{3})\s*\|\s*(?P<message>.+?)\s*\|?\s*$")
SPOT_ROW = re.compile(r"^\| (?P<code>\d{4,5}) \| (?P<status>\d{3}) \| (?P<message>.+) \|$")
WS_ROW = re.compile(r"^\| (?P<code>9\d{4}) \| (?P<message>.+) \|$")


def documented(document: str) -> list[tuple[int, str, int | None]]:
    """(code, message, status) of every row, HTTP rows as (status, description, status), WebSocket rows with
    status None; markdown escapes removed."""
    found: list[tuple[int, str, int | None]] = []
    for line in (VENDORED / FILES[document]).read_text(encoding="utf-8").splitlines():
        if document == "bitmart-spot":
            if m := SPOT_ROW.match(line):
                found.append((int(m["code"]), m["message"], int(m["status"])))
            elif m := WS_ROW.match(line):
                found.append((int(m["code"]), m["message"], None))
            elif m := HTTP_ROW.match(line):
                found.append((int(m["status"]), m["message"].rstrip(" |"), int(m["status"])))
        elif m := CODE_ROW.match(line):
            found.append((int(m["code"]), m["message"].replace("\\_", "_"), int(m["status"])))
        elif m := HTTP_ROW.match(line):
            found.append((int(m["status"]), m["message"], int(m["status"])))
    return found


def family_documented(family: str) -> list[tuple[int, str, int | None]]:
    """Every row of a family's documents, a row the documents repeat kept once."""
    out: list[tuple[int, str, int | None]] = []
    for document in FAMILY_FILES[family]:
        out += [row for row in documented(document) if row not in out]
    return out
