"""Bounded input: every file keyprobe reads, and every JSON text it parses, goes through here.

A file is opened with O_NONBLOCK and checked with fstat BEFORE a byte is read: a FIFO would block
the open or the read forever, /dev/zero never ends, a folder is not a file. Only regular files are
read, and only up to a cap named by the caller (a key file is a few KiB; a request body a few MiB).
JSON is refused past a depth cap: Python's parser raises RecursionError near 1000 levels and its
pretty-printer well before, so "nested 100,000 deep" must end in a sentence, not a traceback.

It lives in keys/ because the key file needs it and keys/ imports nothing from tui/; the rest of
keyprobe (body files, saved requests, history, the keymap, imports) uses it from here.
"""

from __future__ import annotations

import json
import os
import stat

TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:
    from typing import Any, BinaryIO

KiB, MiB = 1024, 1024 * 1024
MAX_JSON_DEPTH = 128  # the venues nest 4 or 5 levels; 128 leaves room and stays far from Python's limits


class UnreadableInput(Exception):
    """A file or text keyprobe will not read; str() is a sentence naming it and why."""


def _size(n: int) -> str:
    if n < KiB:
        return f"{n} bytes"
    if n < MiB:
        return f"{n / KiB:.0f} KiB"
    return f"{n / MiB:.1f} MiB"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_file(path: str | os.PathLike[str], cap: int, what: str = "file") -> bytes:
    """The bytes of the regular file at `path`, at most `cap` of them; UnreadableInput otherwise.
    Never blocks: the open is non-blocking and anything but a regular file is refused by fstat."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableInput(f"{name}: no such file.") from None
    except IsADirectoryError:
        raise UnreadableInput(f"{name} is a folder, not a {what}.") from None
    except OSError as exc:
        raise UnreadableInput(f"{name} cannot be read ({exc.strerror or exc}).") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableInput(f"{name} is {_kind(st.st_mode)}, not a {what}: keyprobe reads only regular files.")
        if st.st_size > cap:
            raise UnreadableInput(f"{name} is {_size(st.st_size)}; a {what} may be at most {_size(cap)}.")
        chunks: list[bytes] = []
        kept = 0
        while kept <= cap:  # the file may grow between fstat and read: count what arrives
            chunk = os.read(fd, min(cap + 1 - kept, MiB) or 1)
            if not chunk:
                break
            chunks.append(chunk)
            kept += len(chunk)
        if kept > cap:
            raise UnreadableInput(f"{name} grew past {_size(cap)} while it was read; a {what} may be at most {_size(cap)}.")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableInput(f"{name} cannot be read ({exc.strerror or exc}).") from None
    finally:
        os.close(fd)


def read_stream(stream: BinaryIO, cap: int, what: str = "input") -> bytes:
    """At most `cap` bytes from an open stream (stdin): `< /dev/zero` stops at the cap with a sentence."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise UnreadableInput(f"The {what} is larger than {_size(cap)}, the most keyprobe reads.")
    return data


def depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `value` nests lists/objects more than `limit` deep (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def loads(text: str | bytes, where: str = "the JSON", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads with a depth cap; every failure is UnreadableInput with a sentence about `where`."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableInput(f"{where} is not UTF-8 text (byte {exc.start}).") from None
    openers = text.count("[") + text.count("{")  # C-speed: a text with few brackets cannot nest deep
    too_deep = UnreadableInput(f"{where} nests more than {max_depth} levels deep; keyprobe reads at most {max_depth}.")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableInput(f"{where} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).") from None
    except RecursionError:
        raise too_deep from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise UnreadableInput(f"{where} is JSON keyprobe cannot read ({exc}).") from None
    if openers > max_depth and depth_exceeds(value, max_depth):
        raise too_deep
    return value


def parse_json(data: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> tuple[Any, str | None]:
    """Total: (value, None), or (None, a clause saying why not) for data from a server. Never raises."""
    try:
        return loads(data, "the body", max_depth), None
    except UnreadableInput as exc:
        return None, str(exc).removeprefix("the body ").rstrip(".")
    except Exception as exc:  # noqa: BLE001 - totality is the contract: a value or "unreadable"
        return None, f"unreadable ({type(exc).__name__})"


def load_json_file(path: str | os.PathLike[str], cap: int, what: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON file read with read_file's rules and parsed with loads'; UnreadableInput otherwise."""
    return loads(read_file(path, cap, what), os.fspath(path), max_depth)
