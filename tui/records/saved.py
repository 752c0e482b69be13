"""Saved requests: one `NAME.request.json` per request, a folder is a collection.

A saved request is a Draft on disk (plus a name and notes). It is written from the Draft, never from
the request as sent, so no key, secret, memo, signature or timestamp can reach the file: the Draft
has none (and what the user typed into it is masked where it holds one). Replay signs afresh. A file is just data: an edited base URL loads fine, and the signer's
host binding refuses it at send time, because the allowed hosts come from the key, not the file.
"""

from __future__ import annotations

import json
import re
from collections import namedtuple
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from keys import bounded
from keys.headers import AuthLevel
from tui import paths
from keys.atomic import atomic_write
from tui.exchange import Draft
from tui.venues import VENUES, emulator_venue, get_venue

SCHEMA = 1
MAX_FILE_BYTES = 40 * 1024 * 1024  # a 32 MiB body (the send cap) plus its JSON escaping
SUFFIX = ".request.json"
METHODS = ("GET", "POST", "PUT", "DELETE")
# Letters, digits, dot, dash, underscore; no leading dot, so no hidden files and no `..`.
_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")


class SavedRequestError(ValueError):
    """A saved request that cannot be written or read; the message names the file and the problem."""


def _unsendable(text: str, where: str, what: str) -> str:
    """`text`, or SavedRequestError when it holds a lone surrogate (what a JSON `\\ud800` escape decodes to):
    no request can carry one, and the send, the history and the terminal would each fail on it later."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SavedRequestError(f"{where}: {what} holds a lone surrogate (a \\u{ord(text[exc.start]):04x} escape) at "
                                f"character {exc.start + 1}, which is not text a request can carry.") from None
    return text


class SavedRequest(namedtuple("SavedRequest", "name draft notes path", defaults=("", None))):
    """A saved request: its name, the Draft, the person's notes, the file it was read from (None before it is
    written). A named tuple, not a dataclass: every send loads this module (keys.headers.HeaderSet says why)."""

    __slots__ = ()

    @property
    def profile(self) -> str | None:
        return self.draft.profile


def check_name(name: str) -> str:
    """The name as given, or a SavedRequestError saying what a name may contain."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise SavedRequestError(
            f"{name!r} is not a usable request name: use up to 80 letters, digits, '.', '-' or '_', "
            "not starting with '.' (no slashes, no '..')."
        )
    return name


def path_for(name: str, folder: Path | None = None) -> Path:
    return (folder if folder is not None else paths.saved_dir()) / f"{check_name(name)}{SUFFIX}"


# -- Draft <-> record (history.py stores the same fields) --------------------------------------------


def draft_record(draft: Draft) -> dict[str, Any]:
    """The fields of a Draft that say what to send. Nothing here can hold a credential."""
    return {
        "venue": draft.venue.id,
        "family": draft.venue.family,
        "base_url": draft.venue.base_url,
        "profile": draft.profile,
        "method": draft.method.upper(),
        "path": draft.path,
        "query": [[k, v] for k, v in draft.query],
        **({"raw_query": draft.raw_query} if draft.raw_query is not None else {}),
        "body": draft.body,
        "auth": draft.auth_level.value,
    } | _header_edits(draft)


def _header_edits(draft: Draft) -> dict[str, Any]:
    """The composer's header edits, when there are any, except a key or signature typed over the
    signer's: those could be credentials, and a saved request never holds one."""
    edits = [[k, v] for k, v in draft.headers if k.lower() not in _secret_header_names(draft)]
    return {"headers": edits} if edits else {}


def _secret_header_names(draft: Draft) -> tuple[str, str]:
    hs = draft.venue.header_set
    return hs.key.lower(), hs.sign.lower()


def draft_from_record(record: Any, where: str) -> Draft:
    """Rebuild a Draft from a record; `where` names the file (and line) in every error."""
    if not isinstance(record, dict):
        raise SavedRequestError(f"{where}: expected a JSON object, found {type(record).__name__}.")

    def field(key: str, kind: type | tuple[type, ...], required: bool = True, default: Any = None) -> Any:
        if key not in record or record[key] is None:
            if required:
                raise SavedRequestError(f"{where}: the field {key!r} is missing.")
            return default
        value = record[key]
        if not isinstance(value, kind):
            names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise SavedRequestError(f"{where}: the field {key!r} should be {names}, not {type(value).__name__}.")
        return _unsendable(value, where, f"the field {key!r}") if isinstance(value, str) else value

    venue_id = field("venue", str)
    if venue_id not in VENUES:
        raise SavedRequestError(f"{where}: unknown venue {venue_id!r}; keyprobe knows {', '.join(VENUES)}.")
    base_url = field("base_url", str)
    try:
        parts = urlsplit(base_url)
        hostname, _ = parts.hostname, parts.port
    except ValueError:  # 'http://[::1' and friends
        raise SavedRequestError(f"{where}: base_url {base_url!r} is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise SavedRequestError(f"{where}: base_url {base_url!r} is not an http(s) URL with a host.")
    venue = get_venue(venue_id)
    family = field("family", str, required=False, default=venue.family)
    if venue.is_emulator:
        try:
            venue = emulator_venue(base_url, family)
        except ValueError as exc:
            raise SavedRequestError(f"{where}: {exc}.") from None
    elif family != venue.family:
        raise SavedRequestError(f"{where}: venue {venue_id!r} is a {venue.family} venue, but the file says {family!r}.")
    else:
        venue = venue.at(base_url)

    method = field("method", str).upper()
    if method not in METHODS:
        raise SavedRequestError(f"{where}: method {method!r} is not one of {', '.join(METHODS)}.")
    path = field("path", str)
    if not path.startswith("/"):
        raise SavedRequestError(f"{where}: path {path!r} should start with '/'.")
    query_raw = field("query", list, required=False, default=[])
    query: list[tuple[str, str]] = []
    for i, pair in enumerate(query_raw):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise SavedRequestError(f"{where}: query item {i + 1} should be a [name, value] pair of strings.")
        query.append((_unsendable(pair[0], where, f"query item {i + 1}"), _unsendable(pair[1], where, f"query item {i + 1}")))
    body = field("body", str, required=False, default="")
    auth_text = field("auth", str, required=False)
    try:
        auth = AuthLevel.parse(auth_text) if auth_text is not None else None
    except ValueError as exc:
        raise SavedRequestError(f"{where}: {exc}.") from None
    profile = field("profile", str, required=False)
    raw_query = field("raw_query", str, required=False)
    headers: list[tuple[str, str]] = []
    for i, pair in enumerate(field("headers", list, required=False, default=[])):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise SavedRequestError(f"{where}: header item {i + 1} should be a [name, value] pair of strings.")
        headers.append((_unsendable(pair[0], where, f"header item {i + 1}"), _unsendable(pair[1], where, f"header item {i + 1}")))
    return Draft(venue=venue, method=method, path=path, query=tuple(query), body=body, auth=auth, profile=profile,
                 raw_query=raw_query, headers=tuple(headers))


def to_json(saved: SavedRequest) -> str:
    """The file's text. Every registered secret (an unlocked profile's, the credentials a send signs with) is masked
    in it, in any spelling, as in the history: a body or query the user typed that holds their secret or memo
    was saved in clear before (fresh-eyes attack on 26ca1db), though the Draft carries no credentials."""
    from tui.output.terminal_safe import masked_values

    record = {"schema": SCHEMA, "name": saved.name, **masked_values(draft_record(saved.draft)), "notes": masked_values(saved.notes)}
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def save(draft: Draft, name: str, folder: Path | None = None, *, notes: str = "", overwrite: bool = False) -> Path:
    """Write `draft` as NAME.request.json in `folder` (default: tui.paths.saved_dir()) and return the path."""
    target = path_for(name, folder)
    if target.exists() and not overwrite:
        raise SavedRequestError(f"{target} already exists: choose another name, or delete that file first.")
    try:
        atomic_write(target, to_json(SavedRequest(name, draft, notes)))
    except OSError as exc:
        raise SavedRequestError(f"Could not write {target}: {exc.strerror or exc}.") from None
    return target


def load(path: Path | str) -> SavedRequest:
    """Read one saved request. Every problem is a SavedRequestError naming the file."""
    path = Path(path)
    try:
        record = bounded.load_json_file(path, MAX_FILE_BYTES, "saved request")
    except bounded.UnreadableInput as exc:
        raise SavedRequestError(str(exc)) from None
    if not isinstance(record, dict):
        raise SavedRequestError(f"{path}: expected a JSON object, found {type(record).__name__}.")
    schema = record.get("schema")
    if schema != SCHEMA:
        if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA:
            raise SavedRequestError(
                f"{path}: written by a newer keyprobe (schema {schema}); this version reads schema {SCHEMA}."
            )
        raise SavedRequestError(f"{path}: unknown schema version {schema!r}; this version reads schema {SCHEMA}.")
    draft = draft_from_record(record, str(path))
    name = record.get("name")
    if not isinstance(name, str) or not name:
        name = path.name.removesuffix(SUFFIX)
    notes = record.get("notes")
    return SavedRequest(name=name, draft=draft, notes=notes if isinstance(notes, str) else "", path=path)


def collect(targets: list[str] | list[Path]) -> list[Path]:
    """Expand FILE|DIR arguments into request files: a folder gives its *.request.json, sorted by name."""
    found: list[Path] = []
    for target in targets:
        p = Path(target)
        if p.is_dir():
            found.extend(sorted(p.glob(f"*{SUFFIX}")))
        else:
            found.append(p)
    return found


def load_all(targets: list[str] | list[Path]) -> tuple[list[SavedRequest], list[str]]:
    """Every request under `targets` (in argument order), and a sentence per file that could not be read."""
    requests: list[SavedRequest] = []
    problems: list[str] = []
    for target in targets:
        files = collect([target])
        if Path(target).is_dir() and not files:
            problems.append(f"{target}: no *{SUFFIX} files in this folder.")
        for path in files:
            try:
                requests.append(load(path))
            except SavedRequestError as exc:
                problems.append(str(exc))
    return requests, problems


def listing(folder: Path | None = None) -> list[SavedRequest | SavedRequestError]:
    """The collection in `folder`, each file loaded or its error, for the console's sidebar."""
    folder = folder if folder is not None else paths.saved_dir()
    out: list[SavedRequest | SavedRequestError] = []
    for path in sorted(folder.glob(f"*{SUFFIX}")) if folder.is_dir() else ():
        try:
            out.append(load(path))
        except SavedRequestError as exc:
            out.append(exc)
    return out
