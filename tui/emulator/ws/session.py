"""One emulated WebSocket link, transport-free: messages in, messages and a close out.

A transport (link.py, on the emulator's own HTTP port after its upgrade hand-over) calls
`receive(message, now)` for each text or binary message, `heard(now)` for any bytes at all (a ping frame
keeps a link alive too) and `tick(now)` when `next_wake()` comes; `account_changed()` says the key's account
moved (the next tick sends what changed). receive and tick return the Outs to send, in order. `now` is a monotonic clock in seconds; the frames'
own timestamps are the emulator's (skewable) clock.

What it answers, per dialect (tui.ws.dialects): the login checked by keys' rule (login.py), refused with the
WebSocket table's code and the link closed, as BitMart documents; subscriptions checked (channel, symbol,
login, duplicates, counts); pings; public pushes every second (public.py) and private ones when the account
changes (private.py). Spot's JSON frames go out as raw-deflate binary frames, as BitMart's do. Caps: message
size, topics per frame and in all, messages per second (90007, then a close), idle and lifeless links.
"""

from __future__ import annotations

import json
import math
import zlib
from collections import namedtuple

from keys.bounded import UnreadableInput, loads
from keys.demo import DemoKey
from tui import catalog
from tui.emulator.state import EmulatorState
from tui.emulator.ws import private, public
from tui.emulator.ws.limits import WsLimits
from tui.emulator.ws.login import LoginRefused, check_login
from tui.ws.dialects import DIALECTS, Dialect

# kind "text" | "binary" (data: str | bytes; text: the JSON before compression) or "close" (data: (code, reason))
Out = namedtuple("Out", "kind data text", defaults=(None,))
NORMAL, POLICY, TOO_BIG = 1000, 1008, 1009
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dialect_of(flavour: str, market: str) -> Dialect | None:
    """The dialect an emulator of `flavour` speaks on `market` (None: it has no such stream)."""
    if flavour == "wooxpro":
        return DIALECTS["wooxpro"] if market == "futures" else None
    return DIALECTS.get({"spot": "bitmart-spot", "futures": "bitmart-futures"}.get(market, ""))


def message_of(code: int) -> str:
    row = catalog.lookup("bitmart", code)
    return row.message if row is not None else "Internal system error"


class WsSession:
    def __init__(self, state: EmulatorState, dialect: Dialect, client_ip: str, limits: WsLimits = WsLimits(),
                 now: float = 0.0) -> None:
        self.state, self.dialect, self.client_ip, self.limits = state, dialect, client_ip, limits
        self.opened = self.last_heard = self.tokens_at = now
        self.requested = False
        self.key: DemoKey | None = None
        self.topics: dict[str, str] = {}  # topic -> channel kind, in subscription order
        self.closed: tuple[int, str] | None = None
        self.tokens = limits.max_messages_per_s
        self.refusals = 0
        self.next_push = now + limits.push_interval_s
        self.seq = 0
        self.before: private.Snapshot | None = None
        self.account_pending = False  # the key's account changed since the last tick

    # -- the transport's calls ------------------------------------------------------------------------------
    def heard(self, now: float) -> None:
        self.last_heard = max(self.last_heard, now)

    def receive(self, message: str | bytes, now: float) -> list[Out]:
        if self.closed:
            return []
        self.heard(now)
        self.requested = True
        if not self._allowed(now):
            return self._flood()
        size = len(message) if isinstance(message, bytes) else len(message.encode("utf-8", "surrogatepass"))
        if size > self.limits.max_message_bytes:
            return self._close(TOO_BIG, f"a message of {size} bytes; at most {self.limits.max_message_bytes}")
        if isinstance(message, bytes):
            return self._refuse(90001, "Invalid message format", event="")
        text = message.strip()
        if text in ("ping", self.dialect.text_ping):
            pong = self.dialect.text_pong if text != "ping" else "pong"
            return [Out("text", pong, pong)]
        try:
            obj = loads(text, "the frame")
        except UnreadableInput:
            return self._refuse(90001, "Invalid message format", event="")
        if self.dialect.op_key == "action" and obj == {"action": "ping"}:
            return [Out("text", self.dialect.text_pong, self.dialect.text_pong)]
        if not isinstance(obj, dict):
            return self._refuse(90001, "Invalid message format", event="")
        return self._spot(obj) if self.dialect.op_key == "op" else self._futures(obj)

    def tick(self, now: float) -> list[Out]:
        """Closes due (lifeless, idle), then the private changes pending, then the public pushes due."""
        if self.closed:
            return []
        if not self.requested and now - self.opened >= self.limits.lifeless_s:
            return self._close(NORMAL, f"no request within {self.limits.lifeless_s:g} s")
        if now - self.last_heard >= self.limits.idle_s:
            return self._close(NORMAL, f"nothing from the client for {self.limits.idle_s:g} s")
        outs = self._account() if self.account_pending else []
        if now < self.next_push:
            return outs
        self.next_push = now + self.limits.push_interval_s
        self.seq += 1
        for topic, kind in self.topics.items():
            if kind in ("ticker", "depth", "trade", "kline"):
                outs += [self._json(f) for f in public.frames(self.state, self.dialect, topic, self.seq)]
        return outs

    def next_wake(self) -> float:
        """When `tick` has something to do next (a push, a lifeless or idle close, a pending account change)."""
        if self.account_pending:
            return -math.inf
        wakes = [self.last_heard + self.limits.idle_s]
        if not self.requested:
            wakes.append(self.opened + self.limits.lifeless_s)
        if any(k in ("ticker", "depth", "trade", "kline") for k in self.topics.values()):
            wakes.append(self.next_push)
        return min(wakes) if not self.closed else math.inf

    def account_changed(self) -> None:
        """The key's account moved (a REST write): the next tick sends what changed on the private channels."""
        self.account_pending = True

    def refuse_link(self, code: int, reason: str) -> list[Out]:
        """Refuse the whole link (94002: too many from one address): the error frame, then the close."""
        return self._refuse(code, message_of(code), event="") + self._close(NORMAL, reason)

    def _account(self) -> list[Out]:
        self.account_pending = False
        if self.key is None or self.before is None:
            return []
        state = self.state
        with state.lock:
            acct = state.account(self.key)
            # Links of one key that looked last together share one diff: each computing its own over the key's
            # 10,000 orders (6 ms) made 100 links answer a REST call in 1.3 s, every order, for everyone.
            diff = private.spot_changes if self.dialect.market == "spot" else private.futures_changes
            done = self._shared(acct)
            if done is None:
                changes, after = diff(self.before, acct, state.now_ms()), private.snapshot(acct)
                state.events.shared_diffs[self._shared_name] = (self.before, state.events.version(self.key.name), acct, changes, after)
            else:  # the account as another link saw it last: its snapshot, and its diff when it started from ours
                changes = done[3] if done[0] is self.before else diff(self.before, acct, state.now_ms())
                after = done[4]
            self.before = after
        return [self._json(frame) for topic, kind in self.topics.items() if kind in changes
                for frame in changes[kind] if _for_topic(topic, frame)]

    # -- spot: {"op": ..., "args": [...]} ---------------------------------------------------------------------
    def _spot(self, obj: dict) -> list[Out]:
        op, args = obj.get("op"), obj.get("args")
        if op == "login":
            return self._login(args, "login")
        if op in ("subscribe", "unsubscribe"):
            return self._subscribe(op, args)
        return self._refuse(90002, "Invalid op param", event=op if isinstance(op, str) else "")

    # -- futures and WOO X Pro: {"action": ..., "args": [...]} ------------------------------------------------
    def _futures(self, obj: dict) -> list[Out]:
        action, args = obj.get("action"), obj.get("args")
        if action == "access":
            return self._login(args, "access")
        if action in ("subscribe", "unsubscribe"):
            return self._subscribe(action, args)
        named = action if isinstance(action, str) else ""
        return [self._json({"action": named, "success": False, "request": _echo(obj), "error": f"Invalid action [{named[:40]}]"})]

    # -- the operations ---------------------------------------------------------------------------------------
    def _login(self, args: object, op: str) -> list[Out]:
        if self.key is not None:
            return self._refuse(91005, message_of(91005), event=op)
        try:
            key = check_login(self.state, self.dialect.id, args, self.client_ip, self.limits.login_window_ms)
        except LoginRefused as refused:
            outs = self._refuse(refused.code, message_of(refused.code), event=op, login=True)
            if self.dialect.closes_after_failed_login:
                outs += self._close(NORMAL, f"login failed: {refused.code}")
            return outs
        self.key = key
        ok = {"event": "login"} if self.dialect.op_key == "op" else {"action": "access", "success": True}
        return [self._json(ok)]

    def _subscribe(self, op: str, args: object) -> list[Out]:
        if not isinstance(args, list) or not args:
            return self._refuse(90003, message_of(90003), event=op)
        if len(args) > self.limits.max_topics_per_frame:
            return self._refuse(90005, message_of(90005), event=op)
        outs = []
        for topic in args:
            try:
                channel, _, _ = public.parse_topic(self.dialect, topic)
            except public.TopicRefused as refused:
                outs += self._refuse(refused.code, refused.words if self.dialect.op_key == "action" else message_of(refused.code),
                                     event=op, topic=topic if isinstance(topic, str) else None, args=args)
                continue
            outs += self._one(op, topic, channel, args)
        return outs

    def _one(self, op: str, topic: str, channel, args: list) -> list[Out]:
        if op == "unsubscribe":
            self.topics.pop(topic, None)
            return [self._ack(op, topic, args)]
        if channel.private and self.key is None:
            return self._refuse(91006, message_of(91006), event=op, topic=topic, args=args)
        if topic in self.topics:
            return self._refuse(90008, message_of(90008), event=op, topic=topic, args=args)
        if len(self.topics) >= self.limits.max_topics:
            return self._refuse(90006, message_of(90006), event=op, topic=topic, args=args)
        self.topics[topic] = channel.kind
        outs = [self._ack(op, topic, args)]
        if channel.private:
            if self.before is None:
                with self.state.lock:
                    acct = self.state.account(self.key)
                    done = self._shared(acct)
                    if done is None:  # kept for the links that subscribe next, so they diff together
                        done = (None, self.state.events.version(self.key.name), acct, {}, private.snapshot(acct))
                        self.state.events.shared_diffs[self._shared_name] = done
                    self.before = done[4]
        else:  # the first push now, not a second later: a client waits for its first data frame
            outs += [self._json(f) for f in public.frames(self.state, self.dialect, topic, self.seq)]
        return outs

    def _ack(self, op: str, topic: str, args: list) -> Out:
        if self.dialect.op_key == "op":
            return self._json({"event": op, "topic": topic})
        return self._json({"action": op, "group": topic, "success": True, "request": {"action": op, "args": args}})

    def _refuse(self, code: int, words: str, *, event: str, topic: str | None = None, args: list | None = None,
                login: bool = False) -> list[Out]:
        if self.dialect.op_key == "op":
            frame = {"event": event, "errorCode": str(code), "errorMessage": message_of(code)}
            if topic is not None:
                frame["topic"] = topic
            return [self._json(frame)]
        frame = {"action": event, "success": False, "error": f"access failed: {words}" if login else words}
        if topic is not None:
            frame = {"action": event, "group": topic, "success": False, "request": {"action": event, "args": args}, "error": words}
        return [self._json(frame)]

    # -- caps -------------------------------------------------------------------------------------------------
    def _allowed(self, now: float) -> bool:
        rate = self.limits.max_messages_per_s
        self.tokens = min(rate, self.tokens + (now - self.tokens_at) * rate)
        self.tokens_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refusals = 0
            return True
        return False

    def _flood(self) -> list[Out]:
        self.refusals += 1
        if self.refusals > self.limits.refusals_before_close:
            return self._close(POLICY, f"more than {self.limits.max_messages_per_s:g} messages a second")
        return self._refuse(90007, message_of(90007), event="")

    def _close(self, code: int, reason: str) -> list[Out]:
        self.closed = (code, reason)
        return [Out("close", (code, reason))]

    def _json(self, obj: dict) -> Out:
        text = _ENCODE(obj)
        if not text.isascii():  # a client's lone surrogate ("\udcff" in its JSON), echoed back: never a UTF-8 error
            text = text.encode("utf-8", "replace").decode("utf-8")
        if not self.dialect.compressed:
            return Out("text", text, text)
        engine = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return Out("binary", engine.compress(text.encode("utf-8")) + engine.flush(), text)

    @property
    def _shared_name(self) -> tuple[str, str]:
        return self.key.name, self.dialect.market

    def _shared(self, acct) -> tuple | None:  # noqa: ANN001 - the key's Account
        """The last diff any link of this key computed, if the account has not been written since (state lock held)."""
        done = self.state.events.shared_diffs.get(self._shared_name)
        if done is not None and done[1] == self.state.events.version(self.key.name) and done[2] is acct:
            return done
        return None


def _for_topic(topic: str, frame: dict) -> bool:
    """Whether a private frame belongs to a subscribed topic (spot/user/order:BTC_USDT takes its symbol's orders)."""
    name, _, filter_ = topic.partition(":")
    if name == "spot/user/order":
        return frame["data"][0].get("symbol") == filter_
    if name == "futures/asset":
        return frame.get("group") == topic
    return True


def _echo(obj: dict) -> dict:
    """The request echoed in a refusal, bounded (the frame itself is at most max_message_bytes)."""
    return {k: obj[k] for k in list(obj)[:4]}
