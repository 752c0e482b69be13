"""WebSocket logins for `keyprobe inspect`: a login frame pasted as JSON (or a JSON list of the frames a client sent,
in order), and the `_webSocketMessages` of a HAR (Chrome's devtools export: each message's type send/receive, its time
in seconds, its opcode, its data; a binary message's data is base64, and spot's are raw deflate).

Each becomes a tui.ws.login_check.Capture, checked there (the frame's shape, its timestamp, the order of its frames,
and with key material the signature's forensics); WsInspection answers what `inspect` prints and its --json.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from keys.bounded import parse_json
from keys.signing import Credentials
from tui.inspect.model import InspectError
from tui.output.terminal_safe import shown
from tui.ws.frames import inflate
from tui.ws.login_check import Capture, LoginCheck, Message, check

MAX_MESSAGES = 10_000  # per capture: a long session's HAR is cut there, and says so


def _is_frame(value: Any) -> bool:
    if isinstance(value, str):
        value = parse_json(value)[0]
    return isinstance(value, dict) and (value.get("op") in ("login", "subscribe", "unsubscribe")
                                        or value.get("action") in ("access", "login", "subscribe", "unsubscribe"))


def looks_like_frames(doc: Any) -> bool:
    """A login frame, or a list of the frames a client sent (objects, or their JSON text), in order."""
    if isinstance(doc, dict):
        return _is_frame(doc)
    return isinstance(doc, list) and bool(doc) and all(_is_frame(f) for f in doc[:MAX_MESSAGES])


def frame_captures(doc: Any) -> list[Capture]:
    import json

    frames = doc if isinstance(doc, list) else [doc]
    messages = tuple(Message("sent", f if isinstance(f, str) else json.dumps(f, ensure_ascii=False)) for f in frames[:MAX_MESSAGES])
    return [Capture(None, messages, "pasted frames" if len(messages) > 1 else "pasted login frame", "frame")]


def has_websocket(doc: Any) -> bool:
    entries = doc.get("log", {}).get("entries") if isinstance(doc, dict) and isinstance(doc.get("log"), dict) else None
    return isinstance(entries, list) and any(isinstance(e, dict) and isinstance(e.get("_webSocketMessages"), list) for e in entries)


def har_captures(doc: Any) -> list[Capture]:
    out = []
    for number, entry in enumerate(doc["log"]["entries"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("_webSocketMessages"), list):
            continue
        request = entry.get("request") if isinstance(entry.get("request"), dict) else {}
        url = request.get("url") if isinstance(request.get("url"), str) else None
        messages = tuple(_message(m) for m in entry["_webSocketMessages"][:MAX_MESSAGES] if isinstance(m, dict))
        out.append(Capture(url, messages, f"HAR entry {number} (WebSocket)", "har"))
    return out


def _message(item: dict) -> Message:
    direction = "sent" if item.get("type") == "send" else "received"
    at = item.get("time")
    at_ms = float(at) * 1000 if isinstance(at, (int, float)) and not isinstance(at, bool) else None
    data = item.get("data")
    if not isinstance(data, str):
        return Message(direction, None, at_ms)
    if item.get("opcode") == 2:  # binary: base64, and BitMart spot's are raw deflate
        try:
            raw = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            return Message(direction, None, at_ms)
        inflated, problem = inflate(raw)
        return Message(direction, (inflated if problem is None else raw).decode("utf-8", "replace"), at_ms)
    return Message(direction, data, at_ms)


@dataclass
class WsInspection:
    """One capture's check, shaped as inspect's Inspection is read: findings, verdict, diagnosis, to_dict, lines."""

    result: LoginCheck

    @property
    def findings(self) -> list:
        return self.result.findings

    @property
    def verdict(self):  # noqa: ANN201 - keys.forensics.Verdict
        return self.result.verdict

    @property
    def diagnosis(self):  # noqa: ANN201 - tui.diagnosis.diagnose.Diagnosis | None
        return self.result.diagnosis

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "websocket", **self.result.to_dict()}

    def lines(self, number: int) -> list[Text]:
        c = self.result.capture
        where = shown(c.url or "(no URL: a pasted frame)")
        dialects = ", ".join(self.result.dialects) or "dialect unknown"
        out = [Text.assemble((f"{number}. WebSocket login ", "bold"), (where, "bold"), (f"   ({shown(c.label)}; {dialects})", "dim"))]
        style = {"error": "bold red", "warning": "yellow", "info": "dim"}
        for f in self.findings:
            out.append(Text.assemble("   ", (f"{f.severity:<8}", style[f.severity]), (f"{f.id:<28}", "cyan"), shown(f.sentence)))
        v = self.verdict
        title = v.status.upper() + (f": {' + '.join(v.variants)}" if v.variants else "")
        colour = {"match": "green", "mismatch": "bold red", "unchecked": "dim"}[v.status]
        out.append(Text.assemble("   signature ", (title, colour), f"  {shown(v.sentence)}"))
        if v.signed is not None and v.expected is not None and v.signed != v.expected:
            out.append(Text(f"     signed   {shown(v.signed)}"))
            out.append(Text(f"     expected {shown(v.expected)}"))
        d = self.diagnosis
        if d is not None:
            out.append(Text.assemble("   answer    ", (shown(d.headline), "yellow")))
            if d.fixes:
                out.append(Text(f"   first fix {shown(d.fixes[0].text)}"))
        return out


def inspect_capture(capture: Capture, credentials: list[Credentials] | tuple[Credentials, ...] = (), *, uid: str | None = None,
                    max_seconds: float = 1.0) -> WsInspection:
    return WsInspection(check(capture, credentials, uid=uid, now_ms=time.time() * 1000, max_seconds=max_seconds))


def require(captures: list[Capture]) -> list[Capture]:
    if not captures:
        raise InspectError("The input holds no WebSocket messages.")
    return captures
