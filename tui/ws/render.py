"""`keyprobe ws`'s look: each step as it finishes, then the frames both ways, the login's pre-image, the verdict.

Frames arrive already masked and escaped (tui.ws.frames.display); everything else a server controls goes
through shown() and rich Text, never markup.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tui.output.terminal_safe import shown
from tui.ws.report import Step, WsReport

MARKS = {True: ("✓", "green"), False: ("✗", "bold red"), None: ("–", "dim")}
FRAMES_SHOWN = 40  # on a terminal; --json has every frame kept


def print_step(out: Console, number: int, step: Step) -> None:
    mark, style = MARKS[step.ok]
    line = Text(f" {mark} ", style=style)
    line.append(f"{number} {step.name:<8}", style="bold")
    line.append(step.title)
    if step.ok is not None:
        line.append(f"  {step.ms:.1f} ms", style="dim")
    out.print(line)
    out.print(Text(f"     {shown(step.detail)}", style="dim" if step.ok is not False else ""))


def print_report(out: Console, report: WsReport) -> None:
    if report.login is not None:
        out.print(Text.assemble("\nLogin pre-image  ", (shown(report.login.preimage_masked), "bold"),
                                (f"   (timestamp {report.login.timestamp}, marker {report.login.marker})", "dim")))
    if report.frames:
        out.print(Text("\nFrames", style="bold"))
        for frame in report.frames[:FRAMES_SHOWN]:
            arrow = "→" if frame.direction == "sent" else "←"
            tags = []
            if frame.compressed:
                tags.append(f"raw deflate, {frame.size:,} B")
            if frame.clipped:
                tags.append("clipped")
            if frame.problem:
                tags.append(shown(frame.problem))
            line = Text(f"  {frame.at_ms:8.1f} ms  {frame.link:<7} {arrow} ", style="dim")
            line.append(frame.text)
            if tags:
                line.append(f"   ({'; '.join(tags)})", style="yellow" if frame.problem else "dim")
            out.print(line)
        more = len(report.frames) - FRAMES_SHOWN + report.frames_dropped
        if more > 0:
            out.print(Text(f"  … {more:,} more frames (--json keeps the first {len(report.frames):,})", style="dim"))
    failed = report.first_failure
    mark, style = MARKS[True if report.passed else (False if failed else None)]
    out.print()
    out.print(Text.assemble((f" {mark} ", style), ("verdict  ", "bold"), shown(report.verdict)))
    for i, fix in enumerate(report.fixes, start=1):
        evidence = failed.diagnosis.fixes[i - 1].evidence if failed and failed.diagnosis and i <= len(failed.diagnosis.fixes) else None
        out.print(Text(f"     {i}. {shown(fix)}"))
        if evidence:
            out.print(Text(f"        shown by: {shown(evidence)}", style="dim"))
    if failed is not None and failed.diagnosis is not None:
        for note in failed.diagnosis.notes:
            out.print(Text(f"     note: {shown(note)}", style="dim"))
    for note in report.notes:
        out.print(Text(f"     note: {shown(note)}", style="dim"))
