"""The headless CLI's look: an Exchange and its Diagnosis (and a clock estimate) as lines of styled pieces.

The lines (tui/output/styled.py) are printed plain when the output is not a terminal, without importing rich, and
through keyprobe's SafeConsole (tui/output/safe_console.py) with their colours when it is. Everything a server sent is
a piece of text, never markup, so a body that contains "[bold]" is printed as those characters. Keys and
signatures arrive already masked (SentRequest), the memo only ever appears as `****` in the pre-image, and the
secret never reaches this module at all. The same picture as JSON, for `--json`, is tui/exchange_json.py.
"""

from __future__ import annotations

from keys import bounded
from keys.signing import signs_body
from tui.output.styled import Line, Output
from tui.output.terminal_safe import dumps, shown

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from typing import Any, Union

    from rich.console import Console, RenderableType

    from tui.exchange import Exchange, RateLimit, ResponseData, SentRequest, Timings, TransportFailure

    Item = Union[Line, "_RawBody"]

BODY_LINES = 60  # on a terminal; the rest is announced, not printed
BODY_CHARS = 16 * 1024  # on a terminal, however few lines they make: a 32 MiB body on one line is not a page
PRETTY_LIMIT = 2 * 1024 * 1024  # larger bodies are shown as received, not re-indented
OUTCOME_STYLE = {"success": "bold green", "documented-error": "bold red", "undocumented-code": "bold red",
                 "not-envelope": "bold red", "transport-failure": "bold magenta"}


def console(stderr: bool = False) -> Console:
    """The CLI's rich Console, for the commands that print through rich (replay, history, probe, ws, skew)."""
    from tui.output.safe_console import safe_console

    return safe_console(stderr=stderr)


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
    """A request body as plain indented lines, one Segment each on a terminal: a 20 MB body goes out without a
    rich Text (which copies it into spans, lines and wrapped pieces several times over). At most `limit`
    characters; write() streams it whole to a file (`send --full`)."""

    def __init__(self, body: bytes, by: int = 4, limit: int | None = REQUEST_BODY_SHOWN) -> None:
        self.body, self.pad, self.limit = body, " " * by, limit

    def plain_lines(self) -> Any:
        """The lines as (text, style) lines: the body's own, then a dim note when the limit cut it."""
        line = ""
        for text, ended in _body_pieces(self.body, self.limit):
            line += shown(text)
            if ended:
                yield [(self.pad + line, "")]
                line = ""
        if line:
            yield [(self.pad + line, "")]
        # More characters than the limit: a UTF-8 character is at most 4 bytes, so this slice holds them if any.
        if self.limit is not None and len(self.body[:4 * self.limit + 4].decode("utf-8", "replace")) > self.limit:
            yield [(f"{self.pad}… the first {self.limit:,} characters of {_size(len(self.body))} "
                    "(--full prints the whole body)", "dim")]

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment

        for line in self.plain_lines():
            for text, style in line:
                yield Segment(text, console.get_style(style) if style else None)
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


# -- pieces: each a list of lines (tui.output.styled.Line), the request's body a _RawBody ---------------------------
def _request_lines(sent: SentRequest, delivered: bool = True, proxy: str | None = None,
                   body_limit: int | None = REQUEST_BODY_SHOWN) -> list[Item]:
    first: Line = [("→ ", "bold cyan"), (shown(f"{sent.method} {sent.url}"), "bold")]
    if proxy:
        first.append((shown(f"   via the proxy {proxy}"), "bold yellow"))
    if not delivered:
        first.append(("   (not sent: the connection failed before the request left)", "yellow"))
    lines: list[Item] = [first]
    for name, value in sent.headers:
        lines.append([("  " + shown(name), "cyan"), (": ", ""), (shown(value), "")])
    if sent.body:
        lines.append([("  body ", "dim"), (f"({len(sent.body)} bytes, exactly as sent and signed)", "dim")])
        lines.append(_RawBody(sent.body, limit=body_limit))
    ev = sent.evidence
    if ev is not None and ev.timestamp is not None:  # signed (preimage_masked is None otherwise)
        if sent.body and len(ev.payload) > PREIMAGE_BODY_SHOWN and signs_body(sent.method):
            # The payload is the body printed just above: the body once, not twice. The head is built without
            # the payload (the whole pre-image would be one more copy of the body).
            head = ev._replace(payload="").preimage_masked or ""
            lines.append([("  pre-image ", "dim"), (shown(head), ""), (f"<the body above, {len(sent.body)} bytes>", "italic"),
                          ("   (memo masked)", "dim")])
        else:
            lines.append([("  pre-image ", "dim"), (shown(ev.preimage_masked), ""), ("   (memo masked)", "dim")])
    if ev is not None and ev.clock_offset_ms:
        lines.append([(f"  timestamp corrected by {ev.clock_offset_ms:+d} ms (measured server offset)", "dim")])
    return lines


def _response_lines(resp: ResponseData, timings: Timings, rate_limit: RateLimit, *, body_lines: int | None = BODY_LINES) -> list[Line]:
    style = "bold green" if resp.status < 400 else "bold red"
    lines: list[Line] = [[("← ", "bold cyan"), (shown(f"{resp.http_version} {resp.status} {resp.reason}".rstrip()), style),
                          ("   " + timings_line(timings), "dim")]]
    for name, value in resp.headers:
        lines.append([("  " + shown(name), "cyan"), (": ", ""), (shown(value), "")])
    rl = rate_limit_line(rate_limit)
    if rl:
        lines.append([("  " + shown(rl), "dim")])
    if resp.body:
        text, _ = pretty_body(resp.body)
        cut = 0
        if body_lines is not None and len(text) > BODY_CHARS:  # before escaping: a NUL is shown as four characters
            cut, text = len(text) - BODY_CHARS, text[:BODY_CHARS]
        body_shown = text.splitlines()
        hidden = 0
        if body_lines is not None and len(body_shown) > body_lines:
            hidden, body_shown = len(body_shown) - body_lines, body_shown[:body_lines]
        lines.append([("\n".join("    " + shown(line) for line in body_shown), "")])  # one piece: a large body is one text
        if hidden:
            lines.append([(f"    … {hidden} more lines not shown on the terminal (use --full, or --json, or pipe the output)", "yellow")])
        if cut:
            lines.append([(f"    … {cut:,} more characters not shown on the terminal (use --full, or --json, or pipe the output)", "yellow")])
    else:
        lines.append([("    (empty body)", "dim")])
    if resp.truncated:
        lines.append([(f"    The body was cut at {_size(len(resp.body))}; the server sent {_size(resp.size)} in all.", "yellow")])
    return lines


def _failure_lines(failure: TransportFailure, timings: Timings | None = None) -> list[Line]:
    lines: list[Line] = [[("✗ ", "bold magenta"), (shown(failure.sentence), "bold")]]
    if failure.detail:
        lines.append([(shown(f"  ({failure.detail})"), "dim")])
    if timings is not None and timings.total_ms is not None:
        lines.append([(f"  after {_ms(timings.total_ms)}", "dim")])
    return lines


def diagnosis_lines(diagnosis: Any, *, said: str | None = None) -> list[Line]:
    """tui.diagnosis.diagnose.Diagnosis: the headline, the documented row and status check, causes, fixes with
    their evidence, notes. A success is one line. `said`: a sentence already printed just above (a
    transport failure's), which the headline then does not repeat."""
    outcome = str(getattr(getattr(diagnosis, "outcome", ""), "value", getattr(diagnosis, "outcome", "")))
    style = OUTCOME_STYLE.get(outcome, "bold red")
    headline = diagnosis.headline
    if said is not None and headline == said:
        headline = f"{getattr(diagnosis, 'category', None) or 'transport'}, as said above."
    lines: list[Line] = [[("Diagnosis: ", "bold"), (shown(headline), style)]]
    if outcome == "success":
        state = getattr(diagnosis, "venue_state", None)  # a venue winding down says so under a success too
        if state is not None and state.sentence and not state.leads:
            lines.append([("  note: " + shown(state.sentence), "yellow")])
        elif state is not None and state.leads and diagnosis.fixes:  # it answered, but this no longer works there
            lines.append([("  what to do: ", "dim"), (shown(getattr(diagnosis.fixes[0], "text", "")), "")])
        return lines
    row = getattr(diagnosis, "row", None)
    if row is not None:
        status = f", documented HTTP {row.http_status}" if row.http_status else ""
        check = ""
        matches, actual = getattr(diagnosis, "status_matches", None), getattr(diagnosis, "actual_status", None)
        if matches is not None and actual is not None:
            check = f" (answered {actual}: {'matches' if matches else 'does NOT match'})"
        lines.append([("  documented ", "dim"), (shown(f"{row.code} {row.message!r}{status}{check}"), "")])
    causes = list(getattr(diagnosis, "causes", None) or ())
    if causes and causes[0] != diagnosis.headline:
        lines.append([("  likely causes:", "dim")])
        lines.extend([("    - " + shown(c), "")] for c in causes)
    fixes = list(getattr(diagnosis, "fixes", None) or ())
    if fixes:
        lines.append([("  what to do:", "dim")])
    for i, fix in enumerate(fixes, 1):
        lines.append([(f"    {i}. ", "bold"), (shown(getattr(fix, "text", fix)), "")])
        evidence = getattr(fix, "evidence", None)
        if evidence:
            lines.append([("       evidence: " + shown(evidence), "yellow")])
    for note in getattr(diagnosis, "notes", None) or ():
        lines.append([("  note: " + shown(note), "dim")])
    return lines


def exchange_lines(exchange: Exchange, diagnosis: Any | None = None, *, body_lines: int | None = BODY_LINES,
                   request_body: int | None = REQUEST_BODY_SHOWN) -> list[Item]:
    """The exchange as lines, part by part: the request as sent, the answer or the failure, the diagnosis."""
    parts: list[Item] = []
    if exchange.request is not None:
        failure = exchange.failure
        # No "request sent" stamp: the connection failed before the request went out in full.
        parts += _request_lines(exchange.request, failure is None or exchange.went_out, exchange.proxy, request_body)
    if exchange.response is not None:
        parts += _response_lines(exchange.response, exchange.timings, exchange.rate_limit, body_lines=body_lines)
    if exchange.failure is not None:
        parts += _failure_lines(exchange.failure, exchange.timings)
    if diagnosis is not None:
        parts.append([])
        said = exchange.failure.sentence if exchange.failure is not None else None
        parts += diagnosis_lines(diagnosis, said=said)
    return parts


def render_exchange(exchange: Exchange, diagnosis: Any | None = None, *, body_lines: int | None = BODY_LINES) -> RenderableType:
    """The exchange as one rich renderable."""
    from rich.console import Group

    from tui.output.styled import rich_text

    return Group(*(p if isinstance(p, _RawBody) else rich_text(p) for p in exchange_lines(exchange, diagnosis, body_lines=body_lines)))


def print_exchange(exchange: Exchange, diagnosis: Any | None = None, *, full: bool = False, out: Output | Console | None = None) -> None:
    """The exchange, part by part. A response body on a terminal is cut with a note (piped output gets all of
    it); the request body, the person's own input, is shown in its first REQUEST_BODY_SHOWN characters. With
    `full` both are whole, and the request body is streamed to the output rather than laid out as one text."""
    out = _output(out)
    limit = None if full or not out.is_terminal else BODY_LINES
    for part in exchange_lines(exchange, diagnosis, body_lines=limit, request_body=None if full else REQUEST_BODY_SHOWN):
        if isinstance(part, _RawBody):
            if part.limit is None:
                part.write(out.file)
            else:
                out.renderable(part)
        else:
            out.line(part)


def _output(out: Output | Console | None) -> Output:
    """An Output: stdout's (plain when piped) for None, a given rich Console's, or the Output given."""
    return out if isinstance(out, Output) else Output(out)


# -- clock -----------------------------------------------------------------------------------------------
def estimate_lines(estimate: Any, venue: Any | None = None, *, signing_with_it: bool = False) -> list[Line]:
    style = {"ok": "bold green", "warn-recvwindow": "bold yellow"}.get(estimate.verdict, "bold red")
    where = f"; {venue.name} at {venue.base_url}" if venue is not None else ""
    lines: list[Line] = [
        [("offset ", "bold"), (f"{estimate.offset_ms:+.1f} ms", ""), ("  (server minus local" + where + ")", "dim")],
        [("bound  ", "bold"), (f"± {estimate.bound_ms:.1f} ms", ""), ("  (in {:+.1f} to {:+.1f} ms)".format(*estimate.interval), "dim")],
        [("rtt    ", "bold"), (f"{estimate.rtt_ms:.2f} ms (shortest round trip)", "")],
        [("samples", "bold"), (f" {estimate.samples_used} used of {len(estimate.samples)} (the first may open the connection)", "")],
        [("method ", "bold"), (estimate.method, "")],
        [("verdict", "bold"), (" ", ""), (estimate.verdict, style)],
        [(verdict_with_howto(estimate, signing_with_it), "")],
    ]
    if estimate.note:
        lines.append([(estimate.note, "dim")])
    return lines


def render_estimate(estimate: Any, venue: Any | None = None) -> RenderableType:
    from rich.console import Group

    from tui.output.styled import rich_text

    return Group(*(rich_text(line) for line in estimate_lines(estimate, venue)))


SYNC_CLOCK_HOWTO = "With `keyprobe send --sync-clock`, keyprobe measures the offset first and signs with it."
SIGNING_WITH_IT = "This send signs with the measured offset (--sync-clock), so the clock does not stop it."


def verdict_with_howto(estimate: Any, signing_with_it: bool = False) -> str:
    """The core's verdict sentence (neutral about front ends), plus the CLI's way to sign with the offset when the
    clock is off (the console says f8 instead); `send --sync-clock` says it is doing so, not to do it."""
    if estimate.verdict == "ok":
        return estimate.verdict_sentence
    return f"{estimate.verdict_sentence} {SIGNING_WITH_IT if signing_with_it else SYNC_CLOCK_HOWTO}"


def print_estimate(estimate: Any, venue: Any | None = None, out: Output | Console | None = None, *,
                   signing_with_it: bool = False) -> None:
    _output(out).lines(estimate_lines(estimate, venue, signing_with_it=signing_with_it))
