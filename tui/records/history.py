"""The send history: one JSON line per send (console, `send`, `replay`), newest at the end.

An entry is the saved-request fields of the Draft (tui.records.saved.draft_record) plus what came back:
HTTP status, code, a one-line message, the failure kind, timings, the wall time and where it came
from. Like a saved request it is written from the Draft, so no key, secret, memo, signature or
timestamp header can reach it; the entry's own time is ISO seconds, never epoch milliseconds, so
it cannot even coincide with a timestamp header value.

The file is capped by count and by size. When an append takes it over either cap it is rewritten
(atomically) keeping the newest 90%, so a full history costs one rewrite per ~100 sends, not one
per send. Numbering for people is newest first: entry 1 is the latest send. A sent body over 64 KiB is
kept cut, with its real size and SHA-256 (`body_cut`), so one 20 MB send cannot push the file past its cap;
such an entry is refused for replay rather than replayed with half a body.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from collections import namedtuple
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from keys import bounded, private_folder
from tui import paths
from tui.output.terminal_safe import masked_values
from tui.exchange import Draft, Exchange
from keys.atomic import atomic_write
from tui.records.saved import SavedRequestError, draft_from_record, draft_record

try:  # advisory lock so the console and a CLI run can append at the same time
    import fcntl
except ImportError:  # pragma: no cover - Windows: appends are still single writes
    fcntl = None  # type: ignore[assignment]

SCHEMA = 1
MAX_ENTRIES = 1000
MAX_BYTES = 5 * 1024 * 1024
KEEP_FRACTION = 0.9
BODY_CAP = 64 * 1024  # characters of a sent body kept per entry; past it, the size and SHA-256
READ_CAP = 4 * MAX_BYTES  # another writer (an older keyprobe) may overshoot the cap; far past it is not a history


class HistoryError(Exception):
    """The history could not be written or an entry number does not exist; the message says which."""


class _Diagnosed(Protocol):  # what history needs from tui.diagnosis.diagnose.Diagnosis
    code: int | None
    headline: str


class HistoryLog(namedtuple("HistoryLog", "entries skipped path lines", defaults=(None, None))):
    """entries: oldest first, as in the file; skipped: 1-based line numbers that could not be read; path; lines:
    read_newest's count of the file's lines (entries, readable or not, blank ones too). A named tuple, not a
    dataclass: every send loads this module (keys.headers.HeaderSet says why)."""

    __slots__ = ()
    @property
    def total(self) -> int:
        return self.lines if self.lines is not None else len(self.entries)

    def newest_first(self) -> list[dict[str, Any]]:
        return list(reversed(self.entries))

    def pick(self, number: int) -> dict[str, Any]:
        """Entry `number`, counting 1 = newest."""
        if not 1 <= number <= len(self.entries):
            have = f"entries 1 to {len(self.entries)}" if self.entries else "no entries"
            raise HistoryError(f"There is no history entry {number}: the history has {have} (1 is the newest).")
        return self.entries[-number]

    def skipped_sentence(self) -> str | None:
        if not self.skipped:
            return None
        lines = ", ".join(str(n) for n in self.skipped[:10]) + (" …" if len(self.skipped) > 10 else "")
        noun = "line" if len(self.skipped) == 1 else "lines"
        return f"Skipped {len(self.skipped)} unreadable {noun} in {self.path} (line {lines})."


def entry_for(
    exchange: Exchange,
    diagnosis: _Diagnosed | None = None,
    *,
    source: str,
    name: str | None = None,
    notes: str = "",
    signer: str | None = None,
) -> dict[str, Any]:
    """The history line for one send. Built from the Draft and the outcome only. `signer` names the key
    that signed, as people read it ("main #d84ea451", "demo #d84ea451"): the draft's profile names only
    a key file's profile (what a replay of the entry unlocks), so the demo key's sends had none."""
    response, failure, t = exchange.response, exchange.failure, exchange.timings
    when = exchange.started_at or time.time()
    timings = {
        "total": t.total_ms,
        "connect": t.connect_ms,
        "tls": t.tls_ms,
        "first_byte": t.first_byte_ms,
        "body": t.body_ms,
    }
    entry = {
        "schema": SCHEMA,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when)),
        "source": source,
        "name": name,
        **_kept_body(draft_record(exchange.draft)),
        "notes": notes,
        "status": response.status if response is not None else None,
        "code": diagnosis.code if diagnosis is not None else None,
        "message": failure.sentence if failure is not None else (diagnosis.headline if diagnosis is not None else None),
        "failure": failure.kind.value if failure is not None else None,
        "sent": exchange.went_out,  # the request left: a failure after that is not "nothing happened"
        "proxy": exchange.proxy,
        "timings_ms": {k: round(v, 1) for k, v in timings.items() if v is not None},
    }
    if signer:
        entry["signer"] = signer
    return entry


def _kept_body(record: dict[str, Any]) -> dict[str, Any]:
    """The record with a body over BODY_CAP cut to its first BODY_CAP characters, its real size and
    SHA-256 kept beside it: one 20 MB send must not make the history 20 MB."""
    body = record.get("body") or ""
    if len(body) * 4 <= BODY_CAP:  # a character is at most 4 bytes of UTF-8
        return record
    # Encoded and hashed a piece at a time: the same bytes as encoding it whole (UTF-8 encodes each character
    # alone), without a second copy of a 20 MB body.
    digest, size = hashlib.sha256(), 0
    for start in range(0, len(body), BODY_CAP):
        piece = body[start:start + BODY_CAP].encode("utf-8", "surrogatepass")
        digest.update(piece)
        size += len(piece)
    if size <= BODY_CAP:
        return record
    record["body"] = body[:BODY_CAP]
    record["body_cut"] = {"size": size, "sha256": digest.hexdigest()}
    return record


def entry_draft(entry: dict[str, Any], where: str = "history entry") -> Draft:
    """The Draft an entry was sent from, ready to save or replay."""
    cut = entry.get("body_cut")
    if cut is not None:
        size = cut.get("size") if isinstance(cut, dict) else "?"
        raise HistoryError(
            f"{where} sent a {size}-byte body; the history kept only its first {BODY_CAP} characters and its SHA-256, "
            "so it cannot be saved or replayed from here (send it again from its file)."
        )
    try:
        return draft_from_record(entry, where)
    except SavedRequestError as exc:
        raise HistoryError(str(exc)) from None


@contextmanager
def _locked(path: Path) -> Iterator[Any]:
    """The history file opened for append under an exclusive lock, reopened if a compaction by
    another process replaced it while we waited. The folder is made only when it is missing (a
    mkdir per append was a syscall and an exception per proxied exchange)."""
    while True:
        # O_NOFOLLOW: a history.jsonl planted as a symlink (a KEYPROBE_HOME others can write) would have had every
        # entry appended to, and a compaction truncate, the file it points at.
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            private_folder.make(path.parent)  # 0700 whatever the umask
            fd = os.open(path, flags, 0o600)
        fh = os.fdopen(fd, "r+b")
        try:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                same = os.fstat(fh.fileno()).st_ino == os.stat(path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                yield fh
                return
        finally:
            fh.close()  # closing releases the lock


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # made once: json.dumps makes one per call


def _line(entry: dict[str, Any]) -> bytes:
    """One JSON line, UTF-8. A path or query from argv that was not UTF-8 holds surrogates, which UTF-8 cannot
    write: that entry is written with JSON's \\u escapes instead (it reads back the same) rather than lost.
    Every registered secret is masked in it first, in any spelling (tui.output.terminal_safe.masked_values): a path
    or body the user typed that holds their memo percent-encoded is kept masked, not in clear."""
    entry = masked_values(entry)
    try:
        return _ENCODE(entry).encode("utf-8") + b"\n"
    except UnicodeEncodeError:
        return json.dumps(entry, separators=(",", ":")).encode("ascii") + b"\n"


def append(
    entries: dict[str, Any] | list[dict[str, Any]],
    path: Path | None = None,
    *,
    max_entries: int = MAX_ENTRIES,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Append one entry (or several, in order) and enforce the caps."""
    path = path if path is not None else paths.history_path()
    batch = [entries] if isinstance(entries, dict) else entries
    data = b"".join(_line(e) for e in batch)
    try:
        with _locked(path) as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() > 0:  # a line cut short by a crash must not swallow the next entry
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    data = b"\n" + data
            before = os.fstat(fh.fileno())
            fh.write(data)
            fh.flush()
            after = os.fstat(fh.fileno())
            lines = _line_count(fh, path, before, after, data.count(b"\n"))
            if after.st_size > max_bytes or lines > max_entries:
                _compact(fh, path, max_entries, max_bytes)
                _counted.pop(path, None)
    except OSError as exc:
        raise HistoryError(f"Could not write the history at {path}: {exc.strerror or exc}.") from None


# path -> (inode, size, lines) after this process's last append: a replay of 500 requests then
# counts the file once, not 500 times. Any other writer changes the size, which forces a recount.
_counted: dict[Path, tuple[int, int, int]] = {}


def _line_count(fh: Any, path: Path, before: os.stat_result, after: os.stat_result, added: int) -> int:
    known = _counted.get(path)
    if known is not None and known[:2] == (before.st_ino, before.st_size):
        lines = known[2] + added
    else:
        fh.seek(0)
        lines = 0
        while chunk := fh.read(1 << 20):
            lines += chunk.count(b"\n")
    _counted[path] = (after.st_ino, after.st_size, lines)
    return lines


def _compact(fh: Any, path: Path, max_entries: int, max_bytes: int) -> None:
    """Rewrite keeping the newest lines: at most 90% of each cap, so the next rewrite is ~10% away."""
    fh.seek(0)
    lines = [line for line in fh.read().splitlines(keepends=True) if line.strip()]
    keep_count = max(1, int(max_entries * KEEP_FRACTION))
    keep_bytes = int(max_bytes * KEEP_FRACTION)
    kept: list[bytes] = []
    total = 0
    for line in reversed(lines):
        if len(kept) >= keep_count or (kept and total + len(line) > keep_bytes):
            break
        if not line.endswith(b"\n"):
            line += b"\n"
        kept.append(line)
        total += len(line)
    atomic_write(path, b"".join(reversed(kept)))


def read(path: Path | None = None) -> HistoryLog:
    """Every readable entry, oldest first; corrupt lines are skipped and counted, never fatal."""
    path = path if path is not None else paths.history_path()
    if not os.path.lexists(path):
        return HistoryLog([], [], path)
    try:
        raw = bounded.read_file(path, READ_CAP, "history file")
    except bounded.UnreadableInput as exc:
        raise HistoryError(f"Could not read the history: {exc}") from None
    entries: list[dict[str, Any]] = []
    skipped: list[int] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            entry = bounded.loads(line, f"line {number}")
        except bounded.UnreadableInput:
            skipped.append(number)
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("method"), str) or not isinstance(entry.get("path"), str):
            skipped.append(number)
            continue
        entries.append(entry)
    return HistoryLog(entries, skipped, path)


READ_BLOCK = 64 * 1024


def read_newest(limit: int, path: Path | None = None) -> HistoryLog:
    """The newest `limit` readable entries (0: all, as read()), oldest first, reading the file from
    its end a block at a time: `keyprobe history` and the sidebar parse what they show, not every
    line. The lines before them are only counted (`total`)."""
    if limit <= 0:
        return read(path)
    path = path if path is not None else paths.history_path()
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return HistoryLog([], [], path, 0)
    except OSError as exc:
        raise HistoryError(f"Could not read the history at {path}: {exc.strerror or exc}.") from None
    newest: list[dict[str, Any]] = []
    bad_from_end: list[int] = []  # parts counted from the end of the file (0: after the last newline)
    with fh:
        try:
            position = os.fstat(fh.fileno()).st_size
            pending, seen, last_empty = b"", 0, None
            while position > 0 and len(newest) < limit:
                step = min(READ_BLOCK, position)
                position -= step
                fh.seek(position)
                parts = (fh.read(step) + pending).split(b"\n")
                pending = parts[0] if position > 0 else b""
                for raw in reversed(parts[1:] if position > 0 else parts):
                    if last_empty is None:
                        last_empty = raw == b""  # the file ends with a newline
                    if raw.strip() and len(newest) < limit:
                        entry = _parse(raw)
                        if entry is None:
                            bad_from_end.append(seen)
                        else:
                            newest.append(entry)
                    seen += 1
            before = pending.count(b"\n")  # the lines before what was parsed: counted, not parsed
            fh.seek(0)
            remaining = position
            while remaining > 0:
                chunk = fh.read(min(1 << 20, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                before += chunk.count(b"\n")
        except OSError as exc:
            raise HistoryError(f"Could not read the history at {path}: {exc.strerror or exc}.") from None
    parts_total = before + seen + (1 if position > 0 or pending else 0)
    skipped = sorted(parts_total - k for k in bad_from_end)
    return HistoryLog(list(reversed(newest)), skipped, path, parts_total - (1 if last_empty else 0))


def _parse(line: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, an integer past 4,300 digits, nested past the stack
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("method"), str) or not isinstance(entry.get("path"), str):
        return None
    return entry


def remove(entry: dict[str, Any], path: Path | None = None) -> bool:
    """Delete the newest line holding `entry` (the sidebar's delete); False when none does."""
    path = path if path is not None else paths.history_path()
    try:
        with _locked(path) as fh:
            fh.seek(0)
            lines = fh.read().split(b"\n")
            for index in range(len(lines) - 1, -1, -1):
                if lines[index].strip() and _parse(lines[index]) == entry:
                    del lines[index]
                    atomic_write(path, b"\n".join(lines))
                    _counted.pop(path, None)
                    return True
    except OSError as exc:
        raise HistoryError(f"Could not rewrite the history at {path}: {exc.strerror or exc}.") from None
    return False


def record(
    exchange: Exchange,
    diagnosis: _Diagnosed | None = None,
    *,
    source: str,
    name: str | None = None,
    notes: str = "",
    path: Path | None = None,
    signer: str | None = None,
) -> str | None:
    """Append one send. Returns None, or a sentence when the history could not be written: a full
    disk must not turn a successful send into a failure, so callers show the sentence and go on."""
    try:
        append(entry_for(exchange, diagnosis, source=source, name=name, notes=notes, signer=signer), path)
    except HistoryError as exc:
        return str(exc)
    return None
