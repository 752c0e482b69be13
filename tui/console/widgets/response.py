"""The response at a glance: the status line, the timing bar and the rate-limit figures; plus the
headers and request-as-sent views for their tabs."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.console.widgets.timing_bar import TimingBar
from tui.output.terminal_safe import shown


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:,.1f} KiB"
    return f"{n / 1024 / 1024:,.1f} MiB"


def status_text(exchange: Any) -> Text:
    response, failure = exchange.response, exchange.failure
    if failure is not None:
        return Text.assemble(("✗ ", "bold red"), (f"{failure.kind.value}: ", "bold red"), shown(failure.sentence))
    style = "bold green" if response.status < 400 else "bold red"
    text = Text.assemble((shown(f"{response.status} {response.reason}"), style), f"  {response.http_version}  ")
    text.append(size_text(response.size or len(response.body)))
    if response.truncated:
        text.append(f"  (truncated: {size_text(len(response.body))} kept)", style="bold yellow")
    return text


def rate_limit_text(rate_limit: Any) -> Text:
    """The rate-limit line, worded by `RateLimit.summary` as the CLI words it."""
    if not rate_limit.present:
        return Text("rate limit: no X-*-RateLimit headers", style="dim")
    text = Text("rate limit  ", style="bold")
    text.append(shown(rate_limit.summary()))  # the mode is the server's text
    return text


def headers_text(title: str, headers: Any) -> Text:
    text = Text(f"{title}\n", style="bold underline")
    for name, value in headers:
        text.append(f"{shown(name)}: ", style="bold")  # server text: control characters shown escaped
        text.append(f"{shown(value)}\n")
    return text


def request_text(exchange: Any) -> Text:
    """The request exactly as sent: key and signature masked, body bytes as text."""
    request = exchange.request
    if request is None:
        return Text("Nothing was sent.", style="dim")
    text = Text.assemble((f"{request.method} ", "bold"), shown(request.url), "\n")
    text.append_text(headers_text("headers (as sent; key and signature masked)", request.headers))
    body = request.body.decode("utf-8", errors="replace")
    text.append("body (bytes sent)\n", style="bold underline")
    text.append(shown(body, multiline=True) if body else "(empty)\n", style="" if body else "dim")
    evidence = request.evidence
    if evidence is not None and evidence.preimage_masked is not None:
        text.append("\n\npre-image signed (memo masked)\n", style="bold underline")
        text.append(evidence.preimage_masked, style="cyan")
    return text


class ResponseSummary(Vertical):
    HELP = """\
## Response
The status line (HTTP status, size, truncation), a bar of the request's phases in proportion
(connect, TLS, waiting for the first byte, reading the body) and the rate-limit headers as the
venue sent them (the documents disagree on what "remaining" means, so they are shown raw).
"""

    def compose(self) -> ComposeResult:
        # The timing bar and the rate-limit line show only once there is something in them.
        yield Static(Text("Nothing sent yet. Press ctrl+j (or alt+enter) to send.", style="dim"), id="status-line")
        yield TimingBar(id="timing-bar")
        rate_limit = Static("", id="rate-limit")
        rate_limit.display = False
        yield rate_limit

    def show_sending(self, label: str) -> None:
        self.query_one("#status-line", Static).update(Text(f"Sending {label} …", style="bold"))
        self.query_one(TimingBar).clear()
        self._rate_limit(None)

    def show_refused(self, sentence: str) -> None:
        self.query_one("#status-line", Static).update(Text.assemble(("Not sent: ", "bold yellow"), sentence))
        self.query_one(TimingBar).clear()
        self._rate_limit(None)

    def show_exchange(self, exchange: Any) -> None:
        self.query_one("#status-line", Static).update(status_text(exchange))
        self.query_one(TimingBar).show(exchange.timings)
        self._rate_limit(rate_limit_text(exchange.rate_limit) if exchange.response else None)

    def _rate_limit(self, text: Text | None) -> None:
        widget = self.query_one("#rate-limit", Static)
        widget.update(text or "")
        widget.display = text is not None
