"""Frames as keyprobe keeps and shows them, and what an incoming frame means in its dialect.

A frame a venue sends is a text frame, or (BitMart spot) a binary frame of raw deflate. It is inflated a
bounded piece at a time (MAX_INFLATED: a 1 MB frame of zeros can inflate to gigabytes), decoded as UTF-8
(bytes that are not are shown replaced, and said), and kept for display at most MAX_SHOWN characters,
with every credential masked and every control character escaped (tui.output.terminal_safe). JSON is parsed with
keys.bounded's depth cap. Nothing here raises on what a server sends.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keys.bounded import parse_json
from tui.output.terminal_safe import shown
from tui.ws.dialects import Dialect

MiB = 1024 * 1024
MAX_FRAME_BYTES = 4 * MiB  # a frame on the wire (websockets' max_size): the venues' frames are a few KiB
MAX_INFLATED = 8 * MiB  # what one compressed frame may inflate to
MAX_SHOWN = 4000  # characters of one frame kept for display
MAX_KEPT = 200  # frames kept per session; the rest are counted


@dataclass(frozen=True)
class Frame:
    """One frame as shown: direction, time since the session began, size on the wire, the text (inflated,
    masked, escaped, clipped) and what was odd about it."""

    direction: str  # "sent" | "received"
    at_ms: float
    link: str  # "private" | "public"
    size: int  # bytes of payload on the wire
    compressed: bool
    text: str
    clipped: bool = False
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"direction": self.direction, "at_ms": round(self.at_ms, 1), "link": self.link, "size": self.size,
                "compressed": self.compressed, "text": self.text, "clipped": self.clipped, "problem": self.problem}


def inflate(data: bytes, cap: int = MAX_INFLATED) -> tuple[bytes, str | None]:
    """Raw deflate undone, at most `cap` bytes: (bytes, None), or (what was inflated, why it stopped)."""
    engine = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        out = engine.decompress(data, cap + 1)
    except zlib.error as exc:
        return b"", f"the binary frame is not raw deflate ({exc})"
    if len(out) > cap:
        return out[:cap], (f"the compressed frame ({len(data):,} bytes) inflates past {cap // MiB} MiB; keyprobe stopped "
                           "there (a compression bomb or a broken stream)")
    return out, None  # a stream ended by a sync flush (no final block) is whole too


@dataclass(frozen=True)
class Received:
    """An incoming message, decoded: its text (None if unreadable), whether it was compressed, and why it
    could not be read whole."""

    text: str | None
    compressed: bool
    size: int
    problem: str | None


def decode(message: str | bytes, dialect: Dialect) -> Received:
    """Text as is; a binary frame inflated (spot's raw deflate) or, failing that, read as UTF-8."""
    if isinstance(message, str):
        return Received(message, False, len(message.encode("utf-8", "surrogatepass")), None)
    raw, problem = inflate(message)
    compressed = problem is None or "inflates past" in problem
    if not compressed:
        raw, problem = message, (None if not dialect.compressed else problem)
    try:
        return Received(raw.decode("utf-8"), compressed, len(message), problem)
    except UnicodeDecodeError as exc:
        text = raw.decode("utf-8", "replace")
        why = f"its bytes are not UTF-8 (byte {exc.start})"
        return Received(text, compressed, len(message), f"{problem}; {why}" if problem else why)


def display(text: str, hide: Callable[[str], str] = lambda t: t) -> tuple[str, bool]:
    """(the text masked, escaped for a terminal and clipped to MAX_SHOWN, whether it was clipped)."""
    clipped = len(text) > MAX_SHOWN
    return shown(hide(text)[:MAX_SHOWN])[:MAX_SHOWN], clipped  # masked whole first: a cut must not split a key


# -- what an incoming frame means ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meaning:
    kind: str  # login-ok | login-failed | subscribed | subscribe-failed | unsubscribed | error | data | pong | other
    topic: str | None = None  # the channel or topic it is about
    obj: Any = None  # the parsed JSON object, when it is one


def meaning(dialect: Dialect, text: str | None) -> Meaning:
    if text is None:
        return Meaning("other")
    stripped = text.strip()
    if stripped == dialect.text_pong or stripped == "pong":
        return Meaning("pong")
    obj, _ = parse_json(stripped)
    if not isinstance(obj, dict):
        return Meaning("other", obj=obj)
    if dialect.op_key == "op":
        return _spot(obj)
    return _futures(obj)


def _spot(obj: dict) -> Meaning:
    event = obj.get("event")
    if obj.get("errorCode") not in (None, ""):
        kind = {"login": "login-failed", "subscribe": "subscribe-failed", "unsubscribe": "subscribe-failed"}.get(event, "error")
        return Meaning(kind, _text(obj.get("topic")), obj)
    if event == "login":
        return Meaning("login-ok", obj=obj)
    if event in ("subscribe", "unsubscribe"):
        return Meaning("subscribed" if event == "subscribe" else "unsubscribed", _text(obj.get("topic")), obj)
    if "table" in obj:
        return Meaning("data", _text(obj.get("table")), obj)
    return Meaning("other", obj=obj)


def _futures(obj: dict) -> Meaning:
    action, success = obj.get("action"), obj.get("success")
    if obj.get("group") == "System" and obj.get("data") == "pong":
        return Meaning("pong", obj=obj)
    if action == "access":
        return Meaning("login-ok" if success is True else "login-failed", obj=obj)
    if action in ("subscribe", "unsubscribe") and "success" in obj:
        ok = success is True
        kind = ("subscribed" if action == "subscribe" else "unsubscribed") if ok else "subscribe-failed"
        return Meaning(kind, _text(obj.get("group")), obj)
    if success is False or obj.get("error") not in (None, ""):
        return Meaning("error", _text(obj.get("group")), obj)
    if "group" in obj and "data" in obj:
        return Meaning("data", _text(obj.get("group")), obj)
    return Meaning("other", obj=obj)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def channel_of(topic: str) -> str:
    """`spot/ticker:BTC_USDT` -> `spot/ticker`; a data frame's table or group names its channel the same way."""
    return topic.partition(":")[0]


def answers(topic: str, m: Meaning) -> bool:
    """Whether a subscribe answer or a data frame is about `topic` (an answer may name the topic or its channel)."""
    return m.topic is not None and (m.topic == topic or channel_of(m.topic) == channel_of(topic))
