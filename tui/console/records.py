"""What the console keeps on disk: the send history and the saved requests. Textual-free.

One writer for each: every history line the console adds (its sends and its replays) and every
saved-request file it writes or deletes goes through this object, on one writer thread of its
own, in order. The sidebar only shows what `load()` returns. Whoever sends says what it was
(source, name, the profile that signed) when it records, so nothing has to recognise a replay
afterwards by the identity of its draft.

Saved files are parsed once and kept by (path, modification time, size): reopening the sidebar
re-reads only the files that changed (10,000 saved requests: benchmarks/sidebar_open.py).
"""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HISTORY_SHOWN = 200  # the newest entries the sidebar lists


@dataclass(frozen=True)
class Listing:
    collections: list[tuple[str, list[Any]]]  # (collection, [SavedRequest | SavedRequestError]); "" is the top folder
    history: list[dict[str, Any]]  # newest first, at most HISTORY_SHOWN
    history_total: int
    notes: list[str]  # unreadable folders, files or lines, as sentences


class Records:
    def __init__(self, on_change: Callable[[str, str], None] | None = None) -> None:
        """`on_change(sentence, severity)` hears about every write, from the writer thread (an empty
        sentence: something changed, nothing to say); the app posts it as a message."""
        self.on_change = on_change
        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="keyprobe-records")
        self._parsed: dict[str, tuple[tuple[int, int], Any]] = {}  # path -> ((mtime_ns, size), SavedRequest | error)

    def _tell(self, sentence: str, severity: str = "information") -> None:
        if self.on_change is not None:
            self.on_change(sentence, severity)

    def close(self) -> None:
        self._writer.shutdown(wait=True)

    # -- history ------------------------------------------------------------------------------------
    def sent(self, exchange: Any, diagnosis: Any, *, signed_by: str | None, signer: str | None = None, source: str = "console",
             name: str | None = None, notes: str = "") -> concurrent.futures.Future[None]:
        """Record one send in the history, saying which key file profile signed it (None: another key;
        the draft may name another: a saved request replayed with the active key) and, as people read
        it, which key (`signer`: "demo #d84ea451")."""
        return self._writer.submit(self._record, exchange, diagnosis, signed_by, signer, source, name, notes)

    def _record(self, exchange: Any, diagnosis: Any, signed_by: str | None, signer: str | None, source: str, name: str | None,
                notes: str) -> None:
        from tui.records import history

        if exchange.draft.profile != signed_by:  # a replay of the entry unlocks this profile, or signs with no profile
            exchange = exchange._replace(draft=exchange.draft._replace(profile=signed_by))
        warning = history.record(exchange, diagnosis, source=source, name=name, notes=notes, signer=signer)
        self._tell(warning or "", "warning")

    def forget(self, entry: dict[str, Any]) -> concurrent.futures.Future[None]:
        """Delete one history entry (the first line equal to it, from the newest)."""
        return self._writer.submit(self._forget, entry)

    def _forget(self, entry: dict[str, Any]) -> None:
        from tui.records import history

        try:
            removed = history.remove(entry)
        except history.HistoryError as exc:
            self._tell(str(exc), "error")
            return
        self._tell("Deleted the history entry." if removed else "That history entry was already gone.",
                   "information" if removed else "warning")

    # -- saved requests -------------------------------------------------------------------------------
    def save(self, draft: Any, name: str) -> concurrent.futures.Future[None]:
        """Save `draft` as NAME ("folder/name" puts it in a collection); no credential can reach the file."""
        return self._writer.submit(self._save, draft, name)

    def _save(self, draft: Any, name: str) -> None:
        from tui import paths
        from tui.records import saved

        folder = paths.saved_dir()
        collection, _, leaf = name.rpartition("/")
        try:
            if collection:
                folder = folder / saved.check_name(collection)
            written = saved.save(draft, leaf, folder)
        except saved.SavedRequestError as exc:
            self._tell(str(exc), "error")
            return
        where = f" in collection {collection}" if collection else ""
        self._tell(f"Saved {leaf}{where} ({written}).")

    def delete(self, item: Any) -> concurrent.futures.Future[None]:
        return self._writer.submit(self._delete, item)

    def _delete(self, item: Any) -> None:
        try:
            item.path.unlink()
        except FileNotFoundError:
            self._tell(f"{item.path} was already gone.", "warning")
            return
        except OSError as exc:
            self._tell(f"Could not delete {item.path}: {exc.strerror or exc}.", "error")
            return
        self._parsed.pop(str(item.path), None)
        self._tell(f"Deleted {item.name}.")

    # -- reading (any thread but the UI's) --------------------------------------------------------------
    def load(self) -> Listing:
        """The saved requests by collection and the newest history entries, as the sidebar shows them."""
        from tui import paths
        from tui.records import history

        notes: list[str] = []
        root = paths.saved_dir()
        collections = [("", self._folder(root, notes))]
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
        except OSError as exc:
            folders = []
            notes.append(f"Could not list {root}: {exc.strerror or exc}.")
        collections += [(folder.name, self._folder(folder, notes)) for folder in folders]
        try:
            log = history.read_newest(HISTORY_SHOWN)
        except history.HistoryError as exc:
            entries, total = [], 0
            notes.append(str(exc))
        else:
            entries, total = log.newest_first(), log.total
            if log.skipped_sentence():
                notes.append(log.skipped_sentence() or "")
        return Listing(collections, entries, total, notes)

    def _folder(self, folder: Path, notes: list[str]) -> list[Any]:
        """The folder's requests, each parsed only if it changed since it was last read."""
        from tui.records import saved

        out: list[Any] = []
        suffix, parsed, stat = saved.SUFFIX, self._parsed, os.stat
        try:
            names = sorted(name for name in os.listdir(folder) if name.endswith(suffix)) if folder.is_dir() else []
        except OSError as exc:
            notes.append(f"Could not list {folder}: {exc.strerror or exc}.")
            return out
        base = str(folder)
        for name in names:
            path = os.path.join(base, name)
            try:
                info = stat(path)
            except OSError:
                continue  # gone since the listing
            stamp = (info.st_mtime_ns, info.st_size)
            cached = parsed.get(path)
            if cached is None or cached[0] != stamp:
                try:
                    item: Any = saved.load(Path(path))
                except saved.SavedRequestError as exc:
                    item = exc
                cached = parsed[path] = (stamp, item)
            out.append(cached[1])
        return out
