"""The diagnosis panel, keyprobe's signature: a short title (the code and its documented message in
the venue's own wording, the category, documented vs actual HTTP status), then the causes, the
fixes with the evidence from the request that was really sent, the notes, and for 30005 / 30007
the evidence side by side. A success, or a panel with nothing to say yet, is one line (class
-brief), so the body below gets the room."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from keys.payload import signs_body
from tui.output.terminal_safe import shown

EVIDENCE_CHARS = 400


def _clip(text: str) -> str:
    return text if len(text) <= EVIDENCE_CHARS else f"{text[:EVIDENCE_CHARS]}… ({len(text):,} characters)"


OUTCOME_TITLES = {  # the title of an answer that carries no documented code
    "undocumented-code": "not in the venue's error-code document",
    "not-envelope": "Not the venue's JSON envelope",
    "transport-failure": "No answer",
}


def venue_line(d: Any) -> Text | None:
    """The venue's lifecycle (keys/lifecycle.py) above the title: what leads the diagnosis (BitMart has stopped this
    kind of endpoint), or a dim note under a success (the withdrawal deadline on a balance); None when quiet."""
    state = getattr(d, "venue_state", None)
    if state is None or not state.sentence:
        return None
    if state.leads:
        return Text(f"⚠ {shown(state.sentence)}\n", style="bold yellow")
    return Text(f"{shown(state.sentence)}\n", style="yellow") if d.outcome.value == "success" else None


def title_text(d: Any) -> Text:
    """The panel's title, short enough to read at a glance: the code and its documented message,
    the category, and the documented HTTP status against the one received. The details (causes,
    fixes with their evidence, notes) follow in advice_text. A success is this one line (after the
    venue's state, when the venue is winding down)."""
    lead = venue_line(d)
    text = _title(d)
    return text if lead is None else Text.assemble(lead, text)


def _title(d: Any) -> Text:
    if d.outcome.value == "success":
        text = Text.assemble(("✓ ", "bold green"), (f"{d.code} {d.message}".strip(), "bold green"), ", ")
        text.append_text(success_status(d))
        return text
    text = Text.assemble(("✗ ", "bold red"))  # a span, not the Text's own style: the lines below are not red
    if d.message and d.outcome.value == "documented-error":
        text.append(f"{d.code} ", style="bold red")
        text.append(d.message, style="bold")
    elif d.code is not None:
        text.append(f"{d.code} ", style="bold red")
        text.append(OUTCOME_TITLES["undocumented-code"], style="bold yellow")
    else:
        title = "Not sent" if d.category == "key binding" else OUTCOME_TITLES.get(d.outcome.value, "No diagnosis")
        text.append(title, style="bold red")
    text.append("\n")
    if d.category:
        text.append(d.category, style="bold")
        text.append("  ·  ", style="dim")
    text.append_text(status_compare(d))
    if d.body_message and d.body_message != d.message:
        text.append("\nthe response said: ", style="dim")
        text.append(f"“{shown(d.body_message)}”")  # server text: control characters shown escaped
    return text


def success_status(d: Any) -> Text:
    """`HTTP 200 as documented`, or the mismatch flagged."""
    if d.actual_status is None:
        return Text("no HTTP status to compare", style="dim")
    if d.status_matches is False:
        return Text.assemble(("but HTTP ", "dim"), (str(d.actual_status), "bold red"), ("  ≠ documented ", "dim"),
                             (str(d.http_status), "bold"), (" ✗ MISMATCH", "bold red"))
    return Text(f"HTTP {d.actual_status} as documented" if d.status_matches else f"HTTP {d.actual_status}")


def status_compare(d: Any) -> Text:
    documented, actual = d.http_status, d.actual_status
    if actual is None:
        return Text("no HTTP response", style="dim")
    if documented is None:
        return Text.assemble(("HTTP ", "dim"), str(actual), ("  (no documented status)", "dim"))
    if d.status_matches is None:  # nothing to compare against (not an envelope: the row is the status's own)
        return Text.assemble(("HTTP ", "dim"), (str(actual), "bold"))
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
            text.append(f" • {shown(cause)}\n")
    if d.fixes:
        text.append("Fixes\n", style="bold underline")
        for n, fix in enumerate(d.fixes, start=1):
            text.append(f" {n}. ", style="bold")
            text.append(f"{shown(fix.text)}\n")
            if fix.evidence:
                text.append("    evidence: ", style="bold cyan")
                text.append(f"{shown(fix.evidence)}\n", style="cyan")
    if d.notes:
        text.append("Notes\n", style="bold underline dim")
        for note in d.notes:
            text.append(f" · {shown(note)}\n", style="dim")
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
        if signs_body(request.method):
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
What the answer means, from the venue's own error-code document. The title gives the code and
its documented message, the category, and the documented HTTP status against the one received (a
mismatch is flagged). Below it: the likely causes, and the fixes, the first ones backed by
**evidence** from the request as it was really sent (lengths and flags only: never the secret or
the memo), then notes.

For 30005 the signed pre-image and the sent bytes are shown side by side; for 30007 the clock.
A success is one line, so the body below gets the room.
"""

    def compose(self) -> ComposeResult:
        # The 30005 / 30007 evidence mounts between these two when it is needed (_evidence).
        yield Static(Text("The diagnosis appears here after a send.", style="dim"), id="diag-title")
        yield Static("", id="diag-advice")

    async def clear(self, sentence: str = "") -> None:
        self.query_one("#diag-title", Static).update(Text(sentence, style="dim"))
        self.query_one("#diag-advice", Static).update("")
        self.add_class("-brief")
        await self._evidence(None, "")

    async def show(self, diagnosis: Any, exchange: Any, estimate: Any, use_offset: bool) -> None:
        d = diagnosis
        # A success is one line, unless the venue has stopped this kind of endpoint: then its causes and fixes count.
        brief = d.outcome.value == "success" and not getattr(d.venue_state, "leads", False)
        self.query_one("#diag-title", Static).update(title_text(d))
        self.query_one("#diag-advice", Static).update("" if brief else advice_text(d))
        self.set_class(brief, "-brief")
        if d.code == 30005:
            left, right = signed_vs_sent(exchange)
            from tui.console.widgets.token_wrap import TokenWrapped

            columns = Horizontal(TokenWrapped(left, id="diag-signed"), TokenWrapped(right, id="diag-sent"), id="diag-signed-vs-sent")
            await self._evidence(columns, "-signature")
        elif d.code == 30007:
            from tui.console.widgets.clock_panel import ClockPanel

            await self._evidence(ClockPanel(id="diag-clock"), "-clock")
            self.show_clock(estimate, use_offset, measuring=estimate is None)
        else:
            await self._evidence(None, "")
        self.scroll_home(animate=False)

    async def _evidence(self, widget: Any, kind: str) -> None:
        """Replace the evidence block (#diag-evidence, classed by kind) with `widget`, or drop it."""
        old = self.query("#diag-evidence")
        if old:
            await old.remove()
        if widget is not None:
            await self.mount(Vertical(widget, id="diag-evidence", classes=kind), after="#diag-title")

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
