"""A document's parsed rows kept beside it, as Python keeps bytecode: data/__pycache__/<document>.rows.

Parsing the two BitMart documents cost every `send`, `inspect` and `decode` ~1 ms of its start-up; reading them
back costs ~0.05 ms. The rows still come from the documents: the file is keyed by the document's size and
modification time, the parser's (documents.py) and the Python version, so an edited document or parser is
parsed again. Like bytecode it is only a cache: one that cannot be read (missing, corrupt, another key) is
parsed over, and one that cannot be written (a read-only install, a full disk) is simply not kept.
"""

from __future__ import annotations

import marshal
import os
import sys

FORMAT = 1


def _cache_path(document_path: str) -> str:
    folder, name = os.path.split(document_path)
    return os.path.join(folder, "__pycache__", name + ".rows")


def key(document_path: str, parser_path: str) -> tuple:
    doc, parser = os.stat(document_path), os.stat(parser_path)
    return (FORMAT, sys.version_info[:2], doc.st_size, doc.st_mtime_ns, parser.st_size, parser.st_mtime_ns)


def load(document_path: str, expected: tuple) -> tuple[list[tuple], list[tuple]] | None:
    """(rows, examples) as plain tuples, when the cache holds them under `expected`; else None."""
    try:
        with open(_cache_path(document_path), "rb") as f:
            found, rows, examples = marshal.loads(f.read())
    except Exception:  # noqa: BLE001 - missing, unreadable, truncated or not ours: parse the document instead
        return None
    if found != expected or not isinstance(rows, list) or not isinstance(examples, list):
        return None
    return rows, examples


def store(document_path: str, expected: tuple, rows: list[tuple], examples: list[tuple]) -> None:
    """Keep the parse for the next process; nothing is said when it cannot be kept."""
    path = _cache_path(document_path)
    scratch = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(scratch, "wb") as f:
            f.write(marshal.dumps((expected, rows, examples)))
        os.replace(scratch, path)  # whole or not at all: another process reading it never sees half
    except (OSError, ValueError):
        try:
            os.unlink(scratch)
        except OSError:
            pass
