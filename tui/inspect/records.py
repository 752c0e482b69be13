"""keyprobe's own records as inspect input: history lines (the file, or `history --json`) and saved requests.

They keep the Draft, not the signed headers (no key, signature or timestamp ever reaches them), so they
are linted for what a draft can show (host, path, body, level) and their signature is unchecked.
"""

from __future__ import annotations

import json
from typing import Any

from tui.exchange import Draft
from tui.inspect.model import CapturedRequest, InspectError
from tui.records.saved import SavedRequestError, draft_from_record


def looks_like_saved(doc: Any) -> bool:
    return isinstance(doc, dict) and "schema" in doc and "method" in doc and "venue" in doc and "base_url" in doc


def looks_like_history(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("entries"), list) and "path" in doc


def from_draft(draft: Draft, source: str, label: str, code: int | None = None) -> CapturedRequest:
    return CapturedRequest(draft.method.upper(), draft.url, (), draft.body_bytes, source, label, headers_known=False,
                           recorded_code=code)


def _one(record: Any, source: str, label: str) -> CapturedRequest:
    try:
        draft = draft_from_record(record, label)
    except SavedRequestError as exc:
        raise InspectError(str(exc)) from None
    code = record.get("code") if isinstance(record.get("code"), int) else None
    return from_draft(draft, source, label, code)


def parse_saved(doc: Any) -> list[CapturedRequest]:
    return [_one(doc, "saved", f"saved request {doc.get('name') or ''}".strip())]


def parse_history(docs: list[Any]) -> list[CapturedRequest]:
    out = []
    for number, record in enumerate(docs, 1):
        where = f"history entry {record.get('number', number)}" if isinstance(record, dict) else f"line {number}"
        out.append(_one(record, "history", where))
    if not out:
        raise InspectError("The history has no entries.")
    return out


def json_lines(text: str) -> list[Any] | None:
    """Each non-blank line as JSON, or None when some line is not a JSON object."""
    docs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(doc, dict):
            return None
        docs.append(doc)
    return docs or None
