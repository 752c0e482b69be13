"""What the proxy keeps of one WebSocket link for the login check, and the check itself.

On the relay's path, `LinkCapture` keeps the first KEEP_MESSAGES messages both ways (fragments joined, spot's
raw-deflate binary frames inflated to at most KEEP_TEXT characters, masked nowhere: the check needs the frames as
sent, and they never leave the proxy's memory) and says when the login can be checked: once the venue has
answered it (or the link ended). Then it stops keeping anything. On the observer's thread, `inspect_link` runs
the check `inspect` runs (tui.ws.login_check) with the proxy's key material (tui.inspect.batch.key_material:
one rule for inspect and the proxy): the frame's shape, its timestamp, a private subscription sent before the
login's answer, the signature's forensics, the venue's refusal decoded. `ProxiedLogin` is shaped like a REST
exchange's Inspection for the printer, the history and the console's Traffic view.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from keys.bounded import parse_json
from keys.signing import Credentials
from tui.inspect.model import CapturedRequest
from tui.inspect.wsframes import WsInspection
from tui.ws.dialects import DIALECTS, dialect_of_frame
from tui.ws.frames import inflate, meaning
from tui.ws.login_check import Capture, Message, check, dialects_of_url

KEEP_MESSAGES = 64  # per link, until the login is checked
KEEP_TEXT = 64 * 1024  # characters of one kept message
ANSWERED = ("login-ok", "login-failed", "error")
OPAQUE_CHARS = 16  # a string this long in a login frame, a key's or a secret's length, is shown as a fingerprint


@dataclass(eq=False)  # one per link, kept in a set: compared by identity
class LinkCapture:
    request: CapturedRequest  # the upgrade, as forwarded (its answer: the 101)
    url: str  # the stream's URL at the upstream (ws:// or wss://)
    opened_ms: float  # wall clock, when the 101 was relayed
    messages: list[Message] = field(default_factory=list, repr=False)  # the frames as sent: the login holds the key
    dropped: int = 0
    login_at: int | None = None  # the index of the login frame in `messages`
    answered: bool = False  # the venue answered the login: the check can run
    reported: bool = False
    ended: str | None = None  # why the link ended, when the proxy ended it (a hostile side, a deadline)

    @property
    def keeping(self) -> bool:
        return not self.reported

    def add(self, direction: str, opcode_text: bool, payload: bytes) -> None:
        """One whole message (fragments joined), "sent" by the client or "received" from the venue."""
        if not self.keeping:
            return
        if len(self.messages) >= KEEP_MESSAGES:
            self.dropped += 1
            return
        if opcode_text:
            text: str | None = payload[:KEEP_TEXT * 4].decode("utf-8", "replace")[:KEEP_TEXT]
        else:  # BitMart spot's answers: raw deflate; anything else is read as UTF-8 if it is
            inflated, problem = inflate(payload, KEEP_TEXT)
            text = (inflated if problem is None or "inflates past" in problem else payload[:KEEP_TEXT]).decode("utf-8", "replace")
        self.messages.append(Message(direction, text, time.time() * 1000))
        obj = parse_json(text)[0] if text is not None and len(text) < KEEP_TEXT else None
        if direction == "sent" and self.login_at is None and _is_login(obj):
            self.login_at = len(self.messages) - 1
        elif direction == "received" and self.login_at is not None and not self.answered:
            dialect = DIALECTS[(dialects_of_url(self.url) or dialect_of_frame(_login_obj(self)) or ("bitmart-spot",))[0]]
            self.answered = meaning(dialect, text).kind in ANSWERED

    @property
    def due(self) -> bool:
        """The login can be checked now: the venue answered it."""
        return not self.reported and self.login_at is not None and self.answered

    def capture(self) -> Capture:
        return Capture(self.url, tuple(self.messages), f"WebSocket link {self.request.label or self.request.url}", "proxy")


def _is_login(obj: object) -> bool:
    return isinstance(obj, dict) and (obj.get("op") == "login" or obj.get("action") in ("access", "login"))


def _login_obj(link: LinkCapture) -> object:
    message = link.messages[link.login_at] if link.login_at is not None else None
    return parse_json(message.text)[0] if message is not None and message.text is not None else None


@dataclass
class ProxiedLogin(WsInspection):
    """A link's login check, shaped as a proxied exchange's Inspection (request, findings, verdict, diagnosis)."""

    request: CapturedRequest = None  # type: ignore[assignment] - the upgrade, its method shown as WS (credentials masked)
    ended: str | None = None
    dropped: int = 0
    hide: Callable[[str], str] = field(default=lambda text: text, repr=False)  # the check's credentials, masked

    def to_dict(self) -> dict:
        return {**super().to_dict(), "method": "WS", "target": self.request.target, "ended": self.ended}


def inspect_link(link: LinkCapture, credentials: Sequence[Credentials], *, uid: str | None, max_seconds: float) -> ProxiedLogin:
    from tui.inspect.batch import key_material
    from tui.inspect.report import credential_masker, masked_copy

    material = key_material(credentials, link.request.host)
    result = check(link.capture(), material, uid=uid, max_seconds=max_seconds)
    if link.ended:
        result.notes.append(f"The proxy ended the link: {link.ended}.")
    if link.dropped:
        result.notes.append(f"{link.dropped:,} later messages were not kept for the check (it reads the first {KEEP_MESSAGES}).")
    # As for a REST exchange: the key material's secret, memo and key masked in every spelling wherever the upgrade
    # or the login frame is shown or kept (a client may put them anywhere: a field of its own, the URL).
    hide = credential_masker(material, link.request.headers)
    result.capture = replace(result.capture, url=hide(result.capture.url or ""), label=hide(result.capture.label))
    return ProxiedLogin(result, masked_copy(link.request, hide)._replace(method="WS"), link.ended, link.dropped, hide)


def login_shown(link: LinkCapture, hide: Callable[[str], str] = lambda text: text) -> str:
    """The login frame as the history and the printer may show it: the key and the signature as fingerprints, so is
    any other long string (a secret a client put in a field of its own, whoever's it is), then `hide` (the known
    credentials, in every spelling) over the whole."""
    import json

    from keys.secret import Secret

    obj = _login_obj(link)
    if not isinstance(obj, dict):
        return "(no login frame)"

    def opaque(value: object) -> bool:  # a timestamp, "web", "access" stay; a 16-character token does not
        return isinstance(value, str) and len(value) >= OPAQUE_CHARS and not value.isdigit()

    def safe(value: object, depth: int = 0) -> object:
        if opaque(value):
            return Secret(value).fingerprint()  # type: ignore[arg-type]
        if isinstance(value, list):
            return [safe(v, depth + 1) for v in value] if depth < 4 else "[…]"
        if isinstance(value, dict):
            return {k if not opaque(k) else Secret(k).fingerprint(): safe(v, depth + 1) for k, v in value.items()} if depth < 4 else "{…}"
        return value

    args = obj.get("args")
    if isinstance(args, list):
        args = [Secret(str(a)).fingerprint() if i in (0, 2) and isinstance(a, (str, int)) and str(a) else a
                for i, a in enumerate(args)]
    shown = hide(json.dumps(safe({**obj, "args": args}), separators=(",", ":"), ensure_ascii=True))
    return shown if len(shown) <= 300 else shown[:300] + "…"


def history_exchange(login: ProxiedLogin, link: LinkCapture):  # noqa: ANN201 - (Exchange, Diagnosis | None, notes)
    """What the history keeps of a proxied login: the upgrade (GET path, 101) as the request, the login's diagnosis,
    and in the notes the login frame with its key and signature as fingerprints and the check's verdict."""
    from tui.exchange import Exchange, ResponseData, SentRequest, Timings
    from tui.inspect.report import draft_of
    from tui.ws.dialects import DIALECTS

    req = login.request._replace(method=link.request.method)  # the upgrade with the credentials masked
    dialects = login.result.dialects
    family = DIALECTS[dialects[0]].family if dialects else "bitmart"
    from keys.hosts import LOOPBACK_HOSTS

    venue_id = "emulator" if req.host in LOOPBACK_HOSTS else family
    draft = draft_of(req._replace(body=b""), venue_id, family)
    sent = SentRequest("GET", req.url, (), b"")
    response = ResponseData(101, "Switching Protocols", (), b"")
    v = login.verdict
    ids = login.result.ids
    notes = (f"WebSocket login {login_shown(link, login.hide)}: signature {v.status}" + (f": {', '.join(ids)}" if ids else "")
             + (f"; {login.hide(login.ended)}" if login.ended else ""))
    exchange = Exchange(draft, sent, response, None, Timings(total_ms=0.0), started_at=link.opened_ms / 1000)
    return exchange, login.diagnosis, notes
