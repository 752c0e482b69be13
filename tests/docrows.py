"""The rows of the two error-code documents, read with a regex written here, independently of
tui/catalog/documents.py, so a parser bug cannot hide behind its own output.

It reads the vendored copies in the repository (a newcomer's clone has nothing else); where the
shared originals sit beside the repository, test_catalog also checks the copies are byte-identical.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDORED = ROOT / "tui" / "catalog" / "data"
SHARED = ROOT.parent / "shared" / "docs"
FILES = {"bitmart": "bitmart-error-codes.md", "wooxpro": "wooxpro-error-codes.md"}

CODE_ROW = re.compile(r"^\|\s*(?P<message>.+?)\s*\|\s*(?P<code>\d+)\s*\|\s*(?P<status>\d{3})\s*\|?\s*$")
HTTP_ROW = re.compile(r"^\|\s*(?P<status>\d{3})\s*\|\s*(?P<message>.+?)\s*\|?\s*$")


def documented(venue: str) -> list[tuple[int, str, int]]:
    """(code, message, status) of every row, HTTP rows as (status, description, status); markdown escapes removed."""
    found = []
    for line in (VENDORED / FILES[venue]).read_text(encoding="utf-8").splitlines():
        if m := CODE_ROW.match(line):
            found.append((int(m["code"]), m["message"].replace("\\_", "_"), int(m["status"])))
        elif m := HTTP_ROW.match(line):
            found.append((int(m["status"]), m["message"], int(m["status"])))
    return found
