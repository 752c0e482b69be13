"""`keyprobe ws`'s client: open the private link, log in, ping, subscribe a private and a public channel, and
report each step with its time, the frames both ways, the login's evidence and a diagnosis of any refusal.

Built on websockets' asyncio client: no proxy unless one is named (websockets would read HTTP_PROXY), no
permessage-deflate (the venues compress their own frames; the official SDK's client never offers it), a
cap on each frame (frames.MAX_FRAME_BYTES) and on what a compressed one inflates to. The login frame is
built and sent by keys.ws_login, after keys.ws_hosts' policy: only over wss:// (loopback aside), only to
the key's venue's hosts. Every frame is shown masked and escaped; a hostile server ends in a sentence.

The console's WebSocket view uses the same session and keeps it open: `on_frame` sees every frame as it is
recorded (the report keeps the first MAX_KEPT), `on_ready` the report once the steps are done, and with `hold`
the links stay open, their frames read (and a text ping sent every PING_EVERY_S, as the venues want one within
20 s) until `hold` is set or the venue closes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

import tui
from keys import redact
from keys.secret import MASK
from keys.signing import Clock, Credentials, SigningRefused
from keys.ws_hosts import login_refusal
from keys.ws_login import LoginEvidence, send_login
from tui.diagnosis.diagnose import Origin
from tui.exchange import FailureKind, TransportFailure
from tui.ws import diagnose as wsd
from tui.ws.dialects import Dialect
from tui.ws.failures import classify_connect, close_of, close_sentence
from tui.ws.frames import MAX_FRAME_BYTES, MAX_KEPT, Frame, Meaning, answers, decode, display, meaning
from tui.ws.report import Step, WsReport

CLOSE_WAIT_S = 2.0  # after a refused login, how long to wait for the close BitMart documents
PING_EVERY_S = 15.0  # while a held session streams: WOO X Pro closes a link with no data for 20 s


@dataclass(frozen=True)
class Plan:
    dialect: Dialect
    private_url: str | None
    public_url: str | None
    credentials: Credentials | None
    allowed_hosts: frozenset[str]  # the hosts the key may log in on (keys.ws_hosts.ws_signing_hosts)
    venue_name: str
    topics: tuple[str, ...]
    credential_source: str = "none"
    clock: Clock | None = None
    timeout_s: float = 10.0  # per step: the handshake, an answer, the first data frame
    proxy: str | bool | None = None  # a proxy the person chose (True: the environment's, --trust-env); None: none


class _Link:
    """One open link and the session's frame log."""

    def __init__(self, session: _Session, name: str, ws: ClientConnection) -> None:
        self.session, self.name, self.ws = session, name, ws

    async def send(self, text: str) -> None:
        await self.ws.send(text)
        self.session.record("sent", self.name, len(text.encode("utf-8", "surrogatepass")), False, text)

    async def wait(self, wanted: Callable[[Meaning], bool], timeout: float) -> tuple[Meaning | None, ConnectionClosed | None]:
        """The first message `wanted` accepts, or (None, None) at the timeout, or (None, the close)."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None, None
            try:
                message = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                return None, None
            except ConnectionClosed as closed:
                self.session.record_close(self.name, closed)
                return None, closed
            got = decode(message, self.session.plan.dialect)
            self.session.record("received", self.name, got.size, got.compressed, got.text or "", got.problem)
            m = meaning(self.session.plan.dialect, got.text)
            if wanted(m):
                return m, None


class _Session:
    def __init__(self, plan: Plan, on_step: Callable[[Step], None] | None,
                 on_frame: Callable[[Frame], None] | None = None) -> None:
        self.plan, self.on_step, self.on_frame = plan, on_step, on_frame
        self.started = time.perf_counter()
        creds = plan.credentials
        self.hide = redact.masking(((creds.secret, MASK), (creds.memo, MASK), (creds.api_key, creds.fingerprint))) if creds else (lambda t: t)
        self.report = WsReport(plan.dialect, plan.private_url, plan.public_url, plan.credential_source, plan.topics)

    def record(self, direction: str, link: str, size: int, compressed: bool, text: str, problem: str | None = None) -> None:
        kept = len(self.report.frames) < MAX_KEPT
        if not kept:
            self.report.frames_dropped += 1
            if self.on_frame is None:
                return
        shown, clipped = display(text, self.hide)
        at = (time.perf_counter() - self.started) * 1000
        frame = Frame(direction, at, link, size, compressed, shown, clipped, problem)
        if kept:
            self.report.frames.append(frame)
        if self.on_frame is not None:
            self.on_frame(frame)

    def record_close(self, link: str, closed: ConnectionClosed) -> None:
        code, reason, theirs = close_of(closed)
        who = "the venue" if theirs else "keyprobe"
        self.record("received" if theirs else "sent", link, 0, False, f"[close {code if code else '(none)'} by {who}"
                    f"{': ' + reason if reason else ''}]")

    def step(self, step: Step) -> Step:
        self.report.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)
        return step

    def evidence(self) -> wsd.Evidence:
        login = self.report.login
        if login is None:
            return ()
        out = []
        if login.memo_length == 0:
            out.append(("memo", "the login signed an empty memo"))
        elif login.memo_all_digits:
            out.append(("memo", f"the memo signed is all digits ({login.memo_length} characters): usually the account UID"))
        out.append(("clock", f"the login was signed at the local clock{f' plus {login.clock_offset_ms} ms' if login.clock_offset_ms else ''} "
                             f"(timestamp {login.timestamp}); `keyprobe skew` measures the venue's offset"))
        return tuple(out)

    async def open(self, name: str, url: str) -> tuple[_Link | None, float, TransportFailure | None]:
        start = time.perf_counter()
        try:
            ws = await connect(url, compression=None, proxy=self.plan.proxy, open_timeout=self.plan.timeout_s,
                               max_size=MAX_FRAME_BYTES, max_queue=16, close_timeout=2, ping_interval=None,
                               user_agent_header=f"keyprobe/{tui.__version__}")
        except Exception as exc:  # noqa: BLE001 - every way a handshake fails becomes a sentence
            return None, _ms(start), classify_connect(exc, url)
        return _Link(self, name, ws), _ms(start), None


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def run_session(plan: Plan, on_step: Callable[[Step], None] | None = None, *,
                      on_frame: Callable[[Frame], None] | None = None, on_ready: Callable[[WsReport], None] | None = None,
                      hold: asyncio.Event | None = None) -> WsReport:
    """Every step, in order; a step that fails stops the steps that depend on it. With `hold`, the links that are
    still open after the steps stay open, read, until `hold` is set or the venue closes them."""
    s = _Session(plan, on_step, on_frame)
    private = [t for t in plan.topics if plan.dialect.is_private(t)]
    public = [t for t in plan.topics if not plan.dialect.is_private(t)]
    links: list[_Link] = []
    try:
        if plan.credentials is None or plan.private_url is None:
            why = "no key (pass --profile NAME or set KEYPROBE_*)" if plan.credentials is None else "no private URL for this venue"
            for name in ("connect", "login", "ping", "private"):
                s.step(Step(name, None, 0.0, f"skipped: {why}."))
        else:
            link = await _private(s, private)
            if link is not None:
                links.append(link)
            failed = s.report.first_failure
            for name in ("connect", "login", "ping", "private"):  # what a failure left undone, said as skipped
                if failed is not None and name not in {step.name for step in s.report.steps}:
                    s.step(Step(name, None, 0.0, f"skipped: the {failed.name} step failed."))
        link = await _public(s, public)
        if link is not None:
            links.append(link)
        if on_ready is not None:
            on_ready(s.report)
        if hold is not None:
            await _stream(s, [link for link in links if link.ws.state is State.OPEN], hold)
    finally:
        for link in links:
            await link.ws.close()
    return s.report


async def _stream(s: _Session, links: list[_Link], hold: asyncio.Event) -> None:
    """Read every open link until `hold` is set or the venue has closed them all; ping each one now and then."""
    async def read(link: _Link) -> None:
        while True:
            try:
                message = await link.ws.recv()
            except ConnectionClosed as closed:
                s.record_close(link.name, closed)
                return
            got = decode(message, s.plan.dialect)
            s.record("received", link.name, got.size, got.compressed, got.text or "", got.problem)

    async def ping(link: _Link) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(PING_EVERY_S)
                await link.send(s.plan.dialect.text_ping)

    readers = [asyncio.create_task(read(link)) for link in links]
    helpers = [asyncio.create_task(ping(link)) for link in links] + [asyncio.create_task(hold.wait())]
    try:
        pending = set(readers)
        while pending and not hold.is_set():
            _, pending = await asyncio.wait(pending | {helpers[-1]}, return_when=asyncio.FIRST_COMPLETED)
            pending.discard(helpers[-1])
    finally:
        for task in readers + helpers:
            task.cancel()
        await asyncio.gather(*readers, *helpers, return_exceptions=True)


async def _private(s: _Session, topics: list[str]) -> _Link | None:
    plan, dialect = s.plan, s.plan.dialect
    refusal = login_refusal(plan.private_url, plan.allowed_hosts, plan.venue_name)
    if refusal is not None:
        failure = TransportFailure(FailureKind.SIGNING_REFUSED, f"{refusal} Nothing was sent.")
        s.step(Step("connect", False, 0.0, failure.sentence, wsd.diagnose_transport(dialect.family, failure), failure))
        return None
    link, ms, failure = await s.open("private", plan.private_url)
    if failure is not None:
        s.step(Step("connect", False, ms, failure.sentence, wsd.diagnose_transport(dialect.family, failure), failure))
        return None
    status = link.ws.response.status_code if link.ws.response is not None else 101
    s.step(Step("connect", True, ms, f"{plan.private_url} answered {status} Switching Protocols in {ms:.1f} ms."))

    start = time.perf_counter()
    sizes: list[int] = []

    async def send(text: str) -> None:  # the plaintext frame goes to the socket only; the log gets the evidence's form
        sizes.append(len(text.encode("utf-8", "surrogatepass")))
        await link.ws.send(text)

    try:
        s.report.login = await send_login(send, plan.credentials, dialect.id, plan.clock)
    except SigningRefused as exc:
        failure = TransportFailure(FailureKind.SIGNING_REFUSED, f"{exc} Nothing was sent.")
        s.step(Step("login", False, 0.0, failure.sentence, wsd.diagnose_transport(dialect.family, failure), failure))
        return link
    except ConnectionClosed as closed:
        return _closed(s, link, "login", closed, start)
    s.record("sent", "private", sizes[0], False, s.report.login.shown)
    answer, closed = await link.wait(lambda m: m.kind in ("login-ok", "login-failed", "error"), plan.timeout_s)
    if closed is not None:
        return _closed(s, link, "login", closed, start)
    if answer is None:
        d = wsd.diagnose_silence(dialect, "login", plan.timeout_s, s.evidence())
        s.step(Step("login", False, _ms(start), d.headline, d, TransportFailure(FailureKind.READ_TIMEOUT, d.headline)))
        return link
    if answer.kind != "login-ok":
        d = wsd.diagnose_frame(dialect, answer.obj, origin=Origin.KEYPROBE, evidence=s.evidence())
        ms = _ms(start)
        if dialect.closes_after_failed_login:
            _, closed = await link.wait(lambda m: False, CLOSE_WAIT_S)
            if closed is not None:
                d = d._replace(notes=d.notes + (f"Then {close_sentence(closed, plan.private_url)} (BitMart closes the link after a failed login.)",))
        s.step(Step("login", False, ms, d.headline, d, refused=True))
        return link
    s.step(Step("login", True, _ms(start), f"Logged in ({s.report.login.preimage_masked} signed) in {_ms(start):.1f} ms."))

    start = time.perf_counter()
    try:
        await link.send(dialect.text_ping)
    except ConnectionClosed as closed:
        return _closed(s, link, "ping", closed, start)
    pong, closed = await link.wait(lambda m: m.kind == "pong", plan.timeout_s)
    if closed is not None:
        return _closed(s, link, "ping", closed, start)
    if pong is None:
        s.step(Step("ping", False, _ms(start), f"No answer to the text ping {dialect.text_ping!r} within {plan.timeout_s:g} s.",
                    failure=TransportFailure(FailureKind.READ_TIMEOUT, "no pong")))
        return link
    s.step(Step("ping", True, _ms(start), f"{dialect.text_ping!r} answered in {_ms(start):.1f} ms."))
    await _subscribe(s, link, "private", topics, first_data=False)
    return link


async def _public(s: _Session, topics: list[str]) -> _Link | None:
    """The public link, subscribed; it is returned open (the caller closes it)."""
    plan = s.plan
    if not topics:
        s.step(Step("public", None, 0.0, "skipped: no public channel asked for."))
        return None
    if plan.public_url is None:
        s.step(Step("public", None, 0.0, f"skipped: {plan.dialect.name}'s public URL is not documented; pass --base-url."))
        return None
    link, ms, failure = await s.open("public", plan.public_url)
    if failure is not None:
        s.step(Step("public", False, ms, failure.sentence, wsd.diagnose_transport(plan.dialect.family, failure), failure))
        return None
    try:
        await _subscribe(s, link, "public", topics, first_data=True, opened_ms=ms)
    except BaseException:
        await link.ws.close()
        raise
    return link


async def _subscribe(s: _Session, link: _Link, name: str, topics: list[str], *, first_data: bool, opened_ms: float = 0.0) -> None:
    plan, dialect = s.plan, s.plan.dialect
    if not topics:
        s.step(Step(name, None, 0.0, f"skipped: no {name} channel asked for."))
        return
    start = time.perf_counter()
    try:
        await link.send(json.dumps({dialect.op_key: "subscribe", "args": topics}, separators=(",", ":")))
    except ConnectionClosed as closed:
        _closed(s, link, name, closed, start)
        return
    waiting = set(topics)
    data_for = set(topics) if first_data else set()

    def wanted(m: Meaning) -> bool:
        for topic in list(waiting):
            if answers(topic, m) and m.kind == "subscribed":
                waiting.discard(topic)
        for topic in list(data_for):
            if answers(topic, m) and m.kind == "data":
                data_for.discard(topic)
        return m.kind in ("subscribe-failed", "error") or not (waiting or data_for)

    m, closed = await link.wait(wanted, plan.timeout_s)
    if closed is not None:
        _closed(s, link, name, closed, start)
        return
    if m is not None and m.kind in ("subscribe-failed", "error"):
        d = wsd.diagnose_frame(dialect, m.obj, evidence=s.evidence())
        s.step(Step(name, False, _ms(start), d.headline, d, refused=True))
        return
    if m is None:
        missing = sorted(waiting) or sorted(data_for)
        what = "no answer to the subscription" if waiting else "no data frame"
        d = wsd.diagnose_silence(dialect, f"subscription to {', '.join(missing)}", plan.timeout_s, s.evidence())
        s.step(Step(name, False, _ms(start), f"{what} for {', '.join(missing)} within {plan.timeout_s:g} s.", d,
                    TransportFailure(FailureKind.READ_TIMEOUT, what)))
        return
    first = " and sent its first data" if first_data else ""
    opened = f" (link opened in {opened_ms:.1f} ms)" if opened_ms else ""
    s.step(Step(name, True, _ms(start), f"{', '.join(topics)} subscribed{first} in {_ms(start):.1f} ms{opened}."))


def _closed(s: _Session, link: _Link, phase: str, closed: ConnectionClosed, start: float) -> _Link:
    code, reason, theirs = close_of(closed)
    sentence = close_sentence(closed, (s.plan.private_url if link.name == "private" else s.plan.public_url) or "")
    if theirs and code is not None:
        d = wsd.diagnose_close(s.plan.dialect, phase, code, reason, s.evidence())
        s.step(Step(phase, False, _ms(start), f"{sentence} {d.headline}", d, refused=phase == "login"))
    else:
        failure = TransportFailure(FailureKind.RESET if code is None else FailureKind.PROTOCOL, sentence)
        s.step(Step(phase, False, _ms(start), sentence, wsd.diagnose_transport(s.plan.dialect.family, failure), failure))
    return link
