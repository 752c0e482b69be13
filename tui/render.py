"""The headless CLI's look: an Exchange and its Diagnosis (and a clock estimate) rendered with rich.

Everything a server sent is shown through rich `Text` objects, never as markup, so a body that
contains "[bold]" is printed as those characters. Keys and signatures arrive already masked
(SentRequest), the memo only ever appears as `****` in the pre-image, and the secret never reaches
this module at all. The same picture as JSON, for `--json`,
is tui/exchange_json.py.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.segment import Segment
from rich.text import Text

from keys import bounded
from keys.signing import signs_body
from tui.terminal_safe import dumps, shown
from tui.exchange import Exchange, RateLimit, ResponseData, SentRequest, Timings, TransportFailure

BODY_LINES = 60  # on a terminal; the rest is announced, not printed
PRETTY_LIMIT = 2 * 1024 * 1024  # larger bodies are shown as received, not re-indented
OUTCOME_STYLE = {"success": "bold green", "documented-error": "bold red", "undocumented-code": "bold red",
                 "not-envelope": "bold red", "transport-failure": "bold magenta"}


class SafeConsole(Console):
    """A rich Console that never writes a control character it did not generate itself: the last
    guard behind shown() (rich measured the widths before, so a missed one only misaligns a little)."""

    def _render_buffer(self, buffer: Any) -> str:  # rich's one place where segments become output
        safe = (seg if seg.control else Segment(shown(seg.text, multiline=True), seg.style, None) for seg in buffer)
        return super()._render_buffer(safe)


def console(stderr: bool = False) -> Console:
    # soft_wrap: long lines (a compact JSON body, a signature header) stay whole; the terminal wraps them.
    # SafeConsole: a control character from a server is shown escaped even if a caller forgot shown().
    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=True)


def _indented(lines: list[str], by: int = 4) -> Text:
    pad = " " * by
    return Text("\n".join(pad + shown(line) for line in lines))


REQUEST_BODY_SHOWN = 4096  # characters of a request body printed unless --full: it is the person's own input
_PIECE = 64 * 1024  # bytes of a body decoded and written at a time


def decoded_pieces(body: bytes) -> Any:
    """body_text(body) as pieces of text, decoded _PIECE bytes at a time (a 20 MB body is never one str)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    view = memoryview(body)
    for start in range(0, len(view), _PIECE):
        yield decoder.decode(view[start:start + _PIECE], final=start + _PIECE >= len(view))


def _body_pieces(body: bytes, limit: int | None = None) -> Any:
    """(text, ended) pieces of the body's lines, decoded a piece at a time (a 20 MB body is never one str):
    `ended` says the piece ends its line. At most `limit` characters, cut at a character, when given."""
    from itertools import chain

    carry, left = "", limit
    for text in chain(decoded_pieces(body), (None,)):  # None after the last piece: the CR it carried, if any
        last = text is None
        text, carry = carry + (text or ""), ""
        if text.endswith("\r") and not last:
            text, carry = text[:-1], "\r"  # a CR whose LF may start the next piece: one line break, not two
        if left is not None:
            text, left = text[:left], left - len(text)
        for line in text.splitlines(keepends=True):
            content = line.splitlines()[0]
            yield content, len(content) < len(line)
        if left is not None and left <= 0:
            return


class _RawBody:
    """A request body as plain indented lines, one Segment each: a 20 MB body goes to the terminal
    without a rich Text (which copies it into spans, lines and wrapped pieces several times over).
    At most `limit` characters; write() streams it whole to a file (`send --full`)."""

    def __init__(self, body: bytes, by: int = 4, limit: int | None = REQUEST_BODY_SHOWN) -> None:
        self.body, self.pad, self.limit = body, " " * by, limit

    def __rich_console__(self, console: Console, options: Any) -> Any:
        line = ""
        for text, ended in _body_pieces(self.body, self.limit):
            line += shown(text)
            if ended:
                yield Segment(self.pad + line)
                yield Segment.line()
                line = ""
        if line:
            yield Segment(self.pad + line)
            yield Segment.line()
        # More characters than the limit: a UTF-8 character is at most 4 bytes, so this slice holds them if any.
        if self.limit is not None and len(self.body[:4 * self.limit + 4].decode("utf-8", "replace")) > self.limit:
            yield Segment(f"{self.pad}… the first {self.limit:,} characters of {_size(len(self.body))} "
                          "(--full prints the whole body)", console.get_style("dim"))
            yield Segment.line()

    def write(self, file: Any) -> None:
        """The whole body to `file`, a piece at a time: no copy of it as one text, however large."""
        start = True
        for text, ended in _body_pieces(self.body):
            file.write((self.pad if start else "") + shown(text) + ("\n" if ended else ""))
            start = ended
        if not start:
            file.write("\n")


PREIMAGE_BODY_SHOWN = 200  # a longer signed body is not printed again inside the pre-image line


# -- text helpers ------------------------------------------------------------------------------------
def _ms(value: float | None) -> str:
    return "-" if value is None else (f"{value:.1f} ms" if value < 1000 else f"{value / 1000:.2f} s")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def body_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


def pretty_body(body: bytes) -> tuple[str, bool]:
    """(text, is_json): indented JSON when the body parses and is not huge, else the text as received."""
    text = body_text(body)
    if len(body) <= PRETTY_LIMIT:
        value, problem = bounded.parse_json(text)
        if problem is None:
            try:
                return dumps(value, indent=2), True
            except (ValueError, RecursionError):
                pass
    return text, False


def timings_line(t: Timings) -> str:
    parts = [f"total {_ms(t.total_ms)}"]
    for label, value in (("connect", t.connect_ms), ("tls", t.tls_ms), ("sent", t.request_sent_ms),
                         ("waiting", t.first_byte_ms), ("body", t.body_ms)):
        if value is not None:
            parts.append(f"{label} {_ms(value)}")
    return ", ".join(parts)


def rate_limit_line(rl: RateLimit) -> str | None:
    return f"rate limit: {rl.summary()}" if rl.present else None


# -- pieces --------------------------------------------------------------------------------------------
def render_request(sent: SentRequest, delivered: bool = True, proxy: str | None = None) -> RenderableType:
    return Group(*_request_lines(sent, delivered, proxy))


def _request_lines(sent: SentRequest, delivered: bool = True, proxy: str | None = None, body_limit: int | None = REQUEST_BODY_SHOWN) -> list[RenderableType]:
    lines: list[RenderableType] = [Text.assemble(("→ ", "bold cyan"), (shown(f"{sent.method} {sent.url}"), "bold"))]
    if proxy:
        lines[0].append(shown(f"   via the proxy {proxy}"), style="bold yellow")
    if not delivered:
        lines[0].append("   (not sent: the connection failed before the request left)", style="yellow")
    for name, value in sent.headers:
        lines.append(Text.assemble(("  " + shown(name), "cyan"), ": ", shown(value)))
    if sent.body:
        lines.append(Text.assemble(("  body ", "dim"), (f"({len(sent.body)} bytes, exactly as sent and signed)", "dim")))
        lines.append(_RawBody(sent.body, limit=body_limit))
    ev = sent.evidence
    if ev is not None and ev.timestamp is not None:  # signed (preimage_masked is None otherwise)
        if sent.body and len(ev.payload) > PREIMAGE_BODY_SHOWN and signs_body(sent.method):
            # The payload is the body printed just above: the body once, not twice. The head is built without
            # the payload (the whole pre-image would be one more copy of the body).
            head = ev._replace(payload="").preimage_masked or ""
            lines.append(Text.assemble(("  pre-image ", "dim"), shown(head), (f"<the body above, {len(sent.body)} bytes>", "italic"),
                                       ("   (memo masked)", "dim")))
        else:
            lines.append(Text.assemble(("  pre-image ", "dim"), shown(ev.preimage_masked), ("   (memo masked)", "dim")))
    if ev is not None and ev.clock_offset_ms:
        lines.append(Text(f"  timestamp corrected by {ev.clock_offset_ms:+d} ms (measured server offset)", style="dim"))
    return lines


def render_response(resp: ResponseData, timings: Timings, rate_limit: RateLimit, *, body_lines: int | None = BODY_LINES) -> RenderableType:
    style = "bold green" if resp.status < 400 else "bold red"
    lines: list[RenderableType] = [
        Text.assemble(("← ", "bold cyan"), (shown(f"{resp.http_version} {resp.status} {resp.reason}".rstrip()), style), ("   " + timings_line(timings), "dim"))
    ]
    for name, value in resp.headers:
        lines.append(Text.assemble(("  " + shown(name), "cyan"), ": ", shown(value)))
    rl = rate_limit_line(rate_limit)
    if rl:
        lines.append(Text("  " + shown(rl), style="dim"))
    if resp.body:
        text, _ = pretty_body(resp.body)
        body_shown = text.splitlines()
        hidden = 0
        if body_lines is not None and len(body_shown) > body_lines:
            hidden, body_shown = len(body_shown) - body_lines, body_shown[:body_lines]
        lines.append(_indented(body_shown))
        if hidden:
            lines.append(Text(f"    … {hidden} more lines not shown on the terminal (use --full, or --json, or pipe the output)", style="yellow"))
    else:
        lines.append(Text("    (empty body)", style="dim"))
    if resp.truncated:
        lines.append(Text(f"    The body was cut at {_size(len(resp.body))}; the server sent {_size(resp.size)} in all.", style="yellow"))
    return Group(*lines)


def render_failure(failure: TransportFailure, timings: Timings | None = None) -> RenderableType:
    head = Text.assemble(("✗ ", "bold magenta"), (shown(failure.sentence), "bold"))
    parts: list[RenderableType] = [head]
    if failure.detail:
        parts.append(Text(shown(f"  ({failure.detail})"), style="dim"))
    if timings is not None and timings.total_ms is not None:
        parts.append(Text(f"  after {_ms(timings.total_ms)}", style="dim"))
    return Group(*parts)


def render_diagnosis(diagnosis: Any, *, said: str | None = None) -> RenderableType:
    """tui.diagnose.Diagnosis: the headline, the documented row and status check, causes, fixes with
    their evidence, notes. A success is one line. `said`: a sentence already printed just above (a
    transport failure's), which the headline then does not repeat."""
    outcome = str(getattr(getattr(diagnosis, "outcome", ""), "value", getattr(diagnosis, "outcome", "")))
    style = OUTCOME_STYLE.get(outcome, "bold red")
    headline = diagnosis.headline
    if said is not None and headline == said:
        headline = f"{getattr(diagnosis, 'category', None) or 'transport'}, as said above."
    parts: list[RenderableType] = [Text.assemble(("Diagnosis: ", "bold"), (shown(headline), style))]
    if outcome == "success":
        state = getattr(diagnosis, "venue_state", None)  # a venue winding down says so under a success too
        if state is not None and state.sentence and not state.leads:
            parts.append(Text("  note: " + shown(state.sentence), style="yellow"))
        elif state is not None and state.leads and diagnosis.fixes:  # it answered, but this no longer works there
            parts.append(Text.assemble(("  what to do: ", "dim"), shown(getattr(diagnosis.fixes[0], "text", ""))))
        return Group(*parts)
    row = getattr(diagnosis, "row", None)
    if row is not None:
        status = f", documented HTTP {row.http_status}" if row.http_status else ""
        check = ""
        matches, actual = getattr(diagnosis, "status_matches", None), getattr(diagnosis, "actual_status", None)
        if matches is not None and actual is not None:
            check = f" (answered {actual}: {'matches' if matches else 'does NOT match'})"
        parts.append(Text.assemble(("  documented ", "dim"), shown(f"{row.code} {row.message!r}{status}{check}")))
    causes = list(getattr(diagnosis, "causes", None) or ())
    if causes and causes[0] != diagnosis.headline:
        parts.append(Text("  likely causes:", style="dim"))
        parts.extend(Text("    - " + shown(c)) for c in causes)
    fixes = list(getattr(diagnosis, "fixes", None) or ())
    if fixes:
        parts.append(Text("  what to do:", style="dim"))
    for i, fix in enumerate(fixes, 1):
        parts.append(Text.assemble((f"    {i}. ", "bold"), shown(getattr(fix, "text", fix))))
        evidence = getattr(fix, "evidence", None)
        if evidence:
            parts.append(Text("       evidence: " + shown(evidence), style="yellow"))
    for note in getattr(diagnosis, "notes", None) or ():
        parts.append(Text("  note: " + shown(note), style="dim"))
    return Group(*parts)


def render_exchange(exchange: Exchange, diagnosis: Any | None = None, *, body_lines: int | None = BODY_LINES) -> RenderableType:
    return Group(*_exchange_parts(exchange, diagnosis, body_lines=body_lines))


def _exchange_parts(exchange: Exchange, diagnosis: Any | None = None, *, body_lines: int | None = BODY_LINES,
                    request_body: int | None = REQUEST_BODY_SHOWN) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if exchange.request is not None:
        failure = exchange.failure
        # No "request sent" stamp: the connection failed before the request went out in full.
        parts += _request_lines(exchange.request, failure is None or exchange.went_out, exchange.proxy, request_body)
    if exchange.response is not None:
        parts.append(render_response(exchange.response, exchange.timings, exchange.rate_limit, body_lines=body_lines))
    if exchange.failure is not None:
        parts.append(render_failure(exchange.failure, exchange.timings))
    if diagnosis is not None:
        parts.append(Text(""))
        said = exchange.failure.sentence if exchange.failure is not None else None
        parts.append(render_diagnosis(diagnosis, said=said))
    return parts


def print_exchange(exchange: Exchange, diagnosis: Any | None = None, *, full: bool = False, out: Console | None = None) -> None:
    """The exchange, part by part. A response body on a terminal is cut with a note (piped output gets all of
    it); the request body, the person's own input, is shown in its first REQUEST_BODY_SHOWN characters. With
    `full` both are whole, and the request body is streamed to the output rather than rendered as one text."""
    out = out or console()
    limit = None if full or not out.is_terminal else BODY_LINES
    for part in _exchange_parts(exchange, diagnosis, body_lines=limit, request_body=None if full else REQUEST_BODY_SHOWN):
        if isinstance(part, _RawBody) and part.limit is None:
            part.write(out.file)
        else:
            out.print(part)


# -- clock -----------------------------------------------------------------------------------------------
def render_estimate(estimate: Any, venue: Any | None = None) -> RenderableType:
    style = {"ok": "bold green", "warn-recvwindow": "bold yellow"}.get(estimate.verdict, "bold red")
    where = f"; {venue.name} at {venue.base_url}" if venue is not None else ""
    rows = [
        Text.assemble(("offset ", "bold"), f"{estimate.offset_ms:+.1f} ms", ("  (server minus local" + where + ")", "dim")),
        Text.assemble(("bound  ", "bold"), f"± {estimate.bound_ms:.1f} ms",
                      ("  (in {:+.1f} to {:+.1f} ms)".format(*estimate.interval), "dim")),
        Text.assemble(("rtt    ", "bold"), f"{estimate.rtt_ms:.2f} ms (shortest round trip)"),
        Text.assemble(("samples", "bold"), f" {estimate.samples_used} used of {len(estimate.samples)} (the first may open the connection)"),
        Text.assemble(("method ", "bold"), estimate.method),
        Text.assemble(("verdict", "bold"), " ", (estimate.verdict, style)),
        Text(verdict_with_howto(estimate)),
    ]
    if estimate.note:
        rows.append(Text(estimate.note, style="dim"))
    return Group(*rows)


SYNC_CLOCK_HOWTO = "`keyprobe send --sync-clock` measures the offset and signs with it."


def verdict_with_howto(estimate: Any) -> str:
    """The core's verdict sentence (neutral about front ends), plus the CLI's way to sign with the
    offset when the clock is off (the console says f8 instead)."""
    if estimate.verdict == "ok":
        return estimate.verdict_sentence
    return f"{estimate.verdict_sentence} {SYNC_CLOCK_HOWTO}"


def print_estimate(estimate: Any, venue: Any | None = None, out: Console | None = None) -> None:
    (out or console()).print(render_estimate(estimate, venue))
