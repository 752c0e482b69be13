"""The diagnosis panel, keyprobe's signature: the code, the documented row in the venue's own
wording, documented vs actual HTTP status, the category, the causes, the fixes with the evidence
from the request that was really sent, and for 30005 / 30007 the evidence side by side."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

EVIDENCE_CHARS = 400


def _clip(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else f"{text[:EVIDENCE_CHARS]}… ({len(text):,} characters)"


def row_text(d: Any) -> Text:
    text = Text()
    if d.code is not None:
        text.append(f"code {d.code}", style="bold")
        text.append("  ")
    if d.message:
        text.append(f"“{d.message}”", style="italic")
        text.append("  (documented)\n" if d.row is not None else "\n", style="dim")
    elif d.code is not None:
        text.append("not in the venue's document\n", style="bold yellow")
    if d.body_message and d.body_message != d.message:
        text.append("the response said: ", style="dim")
        text.append(f"“{d.body_message}”\n")
    text.append_text(status_compare(d))
    if d.category:
        text.append("   category ", style="dim")
        text.append(d.category, style="bold")
    return text


def status_compare(d: Any) -> Text:
    documented, actual = d.http_status, d.actual_status
    if actual is None:
        return Text("no HTTP response", style="dim")
    if documented is None:
        return Text.assemble(("HTTP ", "dim"), str(actual), ("  (no documented status)", "dim"))
    if d.status_matches:
        return Text.assemble(("HTTP ", "dim"), (str(actual), "bold"), ("  = documented ", "dim"), str(documented), (" ✓", "green"))
    return Text.assemble(
        ("HTTP ", "dim"), (str(actual), "bold red"), ("  ≠ documented ", "dim"), (str(documented), "bold"), (" ✗ MISMATCH", "bold red")
    )


def advice_text(d: Any) -> Text:
    text = Text()
    if d.causes:
        text.append("Likely causes\n", style="bold underline")
        for cause in d.causes:
            text.append(f" • {cause}\n")
    if d.fixes:
        text.append("Fixes\n", style="bold underline")
        for n, fix in enumerate(d.fixes, start=1):
            text.append(f" {n}. ", style="bold")
            text.append(f"{fix.text}\n")
            if fix.evidence:
                text.append("    evidence: ", style="bold cyan")
                text.append(f"{fix.evidence}\n", style="cyan")
    if d.notes:
        text.append("Notes\n", style="bold underline dim")
        for note in d.notes:
            text.append(f" · {note}\n", style="dim")
    return text


def signed_vs_sent(exchange: Any) -> tuple[Text, Text]:
    """The pre-image that was signed (memo masked) and the bytes that were sent, for 30005."""
    request = exchange.request
    evidence = request.evidence if request is not None else None
    left = Text("signed (pre-image, memo masked)\n", style="bold")
    if evidence is not None and evidence.preimage_masked is not None:
        left.append(_clip(evidence.preimage_masked), style="cyan")
        left.append(f"\nmemo: {evidence.memo_length} characters", style="dim")
    else:
        left.append("nothing was signed", style="dim")
    right = Text("sent\n", style="bold")
    if request is not None:
        if request.method.upper() in ("POST", "PUT"):
            body = request.body.decode("utf-8", errors="replace")
            right.append(_clip(body) if body else "(empty body)", style="cyan")
            right.append(f"\nbody: {len(request.body):,} bytes", style="dim")
        else:
            query = request.url.partition("?")[2]
            right.append(_clip(query) if query else "(empty query string)", style="cyan")
            right.append("\nquery string (the GET payload)", style="dim")
    return left, right


class DiagnosisPanel(VerticalScroll):
    HELP = """\
## Diagnosis
What the answer means, from the venue's own error-code document: the code and its documented
row, the documented HTTP status against the one received (a mismatch is flagged), the category,
the likely causes, and the fixes, the first ones backed by **evidence** from the request as it
was really sent (lengths and flags only: never the secret or the memo).

For 30005 the signed pre-image and the sent bytes are shown side by side; for 30007 the clock.
"""

    def compose(self) -> ComposeResult:
        yield Static(Text("The diagnosis appears here after a send.", style="dim"), id="diag-headline")
        yield Static("", id="diag-row")
        yield Vertical(id="diag-evidence")  # filled per code: 30005 signed vs sent, 30007 the clock
        yield Static("", id="diag-advice")

    async def clear(self, sentence: str = "") -> None:
        self.query_one("#diag-headline", Static).update(Text(sentence, style="dim"))
        for name in ("#diag-row", "#diag-advice"):
            self.query_one(name, Static).update("")
        await self._evidence(None, "")

    async def show(self, diagnosis: Any, exchange: Any, estimate: Any, use_offset: bool) -> None:
        d = diagnosis
        style = "bold green" if d.outcome.value == "success" else "bold red"
        self.query_one("#diag-headline", Static).update(Text(d.headline, style=style))
        self.query_one("#diag-row", Static).update(row_text(d))
        self.query_one("#diag-advice", Static).update(advice_text(d))
        if d.code == 30005:
            left, right = signed_vs_sent(exchange)
            await self._evidence(Horizontal(Static(left, id="diag-signed"), Static(right, id="diag-sent"), id="diag-signed-vs-sent"), "-signature")
        elif d.code == 30007:
            from tui.console.widgets.clock_panel import ClockPanel

            await self._evidence(ClockPanel(id="diag-clock"), "-clock")
            self.show_clock(estimate, use_offset, measuring=estimate is None)
        else:
            await self._evidence(None, "")
        self.scroll_home(animate=False)

    async def _evidence(self, widget: Any, kind: str) -> None:
        evidence = self.query_one("#diag-evidence", Vertical)
        await evidence.remove_children()
        evidence.set_classes(kind)
        if widget is not None:
            await evidence.mount(widget)

    def show_clock(self, estimate: Any, use_offset: bool, measuring: bool = False, failure: str | None = None) -> None:
        """Refresh the 30007 clock evidence, when it is on show."""
        panels = self.query("#diag-clock")
        if not panels:
            return
        panel = panels.first()
        if failure:
            panel.show_message(failure, style="bold red")
        elif measuring:
            panel.show_message("Measuring the clock again after 30007…")
        else:
            panel.show(estimate, use_offset)
