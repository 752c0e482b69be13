"""Clock measurements kept between runs, so a second `skew --watch` (or the console) continues the drift fit.

KEYPROBE_HOME/clock-samples.json (the user data folder by default), one list per server (its base URL):
`{"format": "keyprobe-clock-samples", "version": 1, "servers": {URL: {"updated_ms": T, "points":
[[at_ms, offset_ms, low_ms, high_ms], ...]}}}`. No key, signature or header is in it: times and offsets.

Bounded: at most MAX_POINTS per server (past that the older ones are thinned to every other, the first and
the newest KEEP_RECENT kept, since a drift is read from the span), at most MAX_SERVERS servers (the least
recently updated goes), and a file over MAX_FILE_BYTES is not read. A file that is not this format is left
as it is, with a sentence: nothing is lost and nothing is written over it.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from keys import bounded
from keys.atomic import atomic_write
from tui.clock.drift import ClockPoint

FILE_NAME = "clock-samples.json"
FORMAT = "keyprobe-clock-samples"
VERSION = 1
MAX_POINTS = 256
KEEP_RECENT = 64
MAX_SERVERS = 32
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_URL_CHARS = 2048


def default_path() -> Path:
    from tui import paths

    return paths.home() / FILE_NAME


def thin(points: list[ClockPoint]) -> list[ClockPoint]:
    """At most MAX_POINTS: the first, every other older one (repeatedly), and the newest KEEP_RECENT."""
    while len(points) > MAX_POINTS:
        older, recent = points[:-KEEP_RECENT], points[-KEEP_RECENT:]
        points = [older[0], *older[2::2], *recent] if len(older) > 2 else [*older[:1], *recent]
    return points


def _point(row: object) -> ClockPoint | None:
    if not (isinstance(row, list) and len(row) == 4 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in row)):
        return None
    at, offset, low, high = (float(x) for x in row)
    if not all(math.isfinite(x) for x in (at, offset, low, high)) or not low <= offset <= high:
        return None
    return ClockPoint(at, offset, low, high)


def _row(p: ClockPoint) -> list[float]:
    return [round(p.at_ms, 3), round(p.offset_ms, 4), round(p.low_ms, 4), round(p.high_ms, 4)]


class ClockStore:
    """Reads and adds measurements; every method answers a problem as a sentence instead of raising."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def _read(self) -> tuple[dict, str | None]:
        """(the servers' table, None), or ({}, why the file cannot be used). A missing file is an empty table."""
        if not self.path.exists() and not self.path.is_symlink():
            return {}, None
        try:
            doc = bounded.load_json_file(self.path, MAX_FILE_BYTES, "the clock samples file")
        except (bounded.UnreadableInput, OSError, ValueError) as exc:
            return {}, f"{self.path} could not be read ({exc}); clock samples are not kept until it is moved away."
        if not (isinstance(doc, dict) and doc.get("format") == FORMAT and isinstance(doc.get("servers"), dict)):
            return {}, f"{self.path} is not a keyprobe clock samples file; it is left as it is, and samples are not kept until it is moved away."
        if doc.get("version") != VERSION:
            return {}, f"{self.path} is version {doc.get('version')!r} of the clock samples file (this keyprobe reads {VERSION}); it is left as it is."
        return doc["servers"], None

    def load(self, server: str) -> tuple[list[ClockPoint], str | None]:
        """The points kept for `server`, oldest first, and a sentence when the file could not be used."""
        servers, problem = self._read()
        entry = servers.get(server)
        rows = entry.get("points") if isinstance(entry, dict) else None
        points = [p for p in map(_point, rows if isinstance(rows, list) else []) if p is not None]
        return sorted(points, key=lambda p: p.at_ms), problem

    def add(self, server: str, points: list[ClockPoint] | tuple[ClockPoint, ...]) -> str | None:
        """Add `points` to `server`'s list (under the folder's lock, so two watches keep both); a sentence on failure."""
        from keys.file_lock import locked
        from keys.profile import VaultError

        if len(server) > MAX_URL_CHARS:
            return "The server's URL is too long to keep its clock samples."
        try:
            with locked(self.path):
                servers, problem = self._read()
                if problem:
                    return problem
                entry = servers.get(server)
                rows = entry.get("points") if isinstance(entry, dict) else None
                kept = [p for p in map(_point, rows if isinstance(rows, list) else []) if p is not None]
                merged = {p.at_ms: p for p in [*kept, *points]}
                ordered = thin(sorted(merged.values(), key=lambda p: p.at_ms))
                servers[server] = {"updated_ms": round(time.time() * 1000), "points": [_row(p) for p in ordered]}
                if len(servers) > MAX_SERVERS:
                    by_age = sorted(servers, key=lambda k: servers[k].get("updated_ms", 0) if isinstance(servers[k], dict) else 0)
                    for old in by_age[: len(servers) - MAX_SERVERS]:
                        del servers[old]
                doc = {"format": FORMAT, "version": VERSION, "servers": servers}
                atomic_write(self.path, json.dumps(doc, separators=(",", ":")) + "\n")
        except (OSError, VaultError) as exc:
            reason = "its folder could not be locked" if isinstance(exc, VaultError) else (exc.strerror or str(exc))
            return f"Could not keep the clock samples in {self.path} ({reason}); the fit goes on with this run's."
        return None
