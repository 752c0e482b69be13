"""The human view of an Inspection: findings, the signature verdict with the differing bytes marked, the diagnosis.

The view is made of lines of (text, style) pieces (tui/output/styled.py, as `keyprobe send`'s): printed plain when the
output is not a terminal (a pipe, a file, CI: rich is not even loaded), through rich with its colours when it
is, and as rich Text in the console.
"""

from __future__ import annotations

import sys

from tui.transport.envelope import clip
from tui.inspect.report import MARK_LIMIT, Inspection, marks
from tui.output.styled import Line, Output, rich_text
from tui.output.terminal_safe import shown

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
STATUS_STYLE = {"match": "green", "mismatch": "bold red", "unchecked": "dim", "not-checked-by-venue": "yellow"}
TITLES = {"not-checked-by-venue": "NOT CHECKED BY THE VENUE"}


def _printable(text: object) -> str:
    """Every input- or server-controlled string goes through the terminal sanitiser: a pasted request
    or a bot's request line must not write the clipboard (OSC 52) or move the cursor."""
    return shown(text)


def _preimage(text: str) -> str:
    """A pre-image as printed: a 1 MiB body's was one 1 MiB line on the terminal (--json keeps it whole)."""
    if len(text) <= MARK_LIMIT:
        return text
    return f"{text[:MARK_LIMIT]}… (the first {MARK_LIMIT:,} of {len(text):,} characters)"


def pieces(number: int, ins: Inspection) -> list[Line]:
    r = ins.request
    out: list[Line] = [[(f"{number}. {_printable(r.method)} ", "bold"), (_printable(clip(r.url, 200)), "bold"),
                        (f"   ({_printable(r.label)}; {ins.venue})", "dim")]]
    for note in r.notes:
        out.append([(f"   note: {_printable(note)}", "dim")])
    for f in ins.findings:
        out.append([("   ", ""), (f"{f.severity:<8}", SEVERITY_STYLE[f.severity]), (f"{f.id:<28}", "cyan"),
                    (_printable(f.sentence), "")])
    v = ins.verdict
    title = TITLES.get(v.status, v.status.upper()) + (f": {' + '.join(v.variants)}" if v.variants else "")
    out.append([("   signature ", ""), (title, STATUS_STYLE[v.status]), (f"  {_printable(v.sentence)}", "")])
    if v.signed is not None and v.expected is not None and v.signed != v.expected:
        signed, expected = _printable(v.signed), _printable(v.expected)
        under_signed, under_expected = marks(signed, expected)
        out.append([(f"     signed   {_preimage(signed)}", "")])
        if under_signed:
            out.append([(f"              {under_signed}", "bold red")])
        out.append([(f"     expected {_preimage(expected)}", "")])
        if under_expected:
            out.append([(f"              {under_expected}", "bold green")])
    elif v.expected is not None and v.status != "unchecked":
        out.append([(f"     signed string {_preimage(_printable(v.expected))}", "dim")])
    d = ins.diagnosis
    if d is not None:
        out.append([("   response  ", ""), (_printable(d.headline), "bold" if d.code == 1000 else "yellow")])
        if v.variants and v.status == "mismatch":  # the forensics found the cause: the table's generic fix would distract
            out.append([("   first fix sign exactly what is sent: see the signature line above.", "")])
        elif d.fixes and d.code != 1000:
            out.append([(f"   first fix {_printable(d.fixes[0].text)}", "")])
    return out


def lines(number: int, ins: Inspection) -> list[Text]:
    """The view as rich Text lines (the console's paste box, its Traffic view, and a terminal)."""
    own = getattr(ins, "lines", None)  # a WebSocket login draws itself (tui.inspect.wsframes.WsInspection)
    if own is not None:
        return own(number)
    return [rich_text(line) for line in pieces(number, ins)]


_OUTPUT: list[Output] = []  # stdout's, kept while stdout is the same stream: a HAR prints a thousand of these


def _stdout() -> Output:
    if not _OUTPUT or _OUTPUT[0].file is not sys.stdout:
        _OUTPUT[:] = [Output()]
    return _OUTPUT[0]


def print_inspection(number: int, ins: Inspection, console: Console | None = None) -> None:
    out = _stdout() if console is None else Output(console)
    own = getattr(ins, "lines", None)  # a WebSocket login draws itself (tui.inspect.wsframes.WsInspection)
    if out.console is None:
        out.lines([*([[(t.plain, "")] for t in own(number)] if own else pieces(number, ins)), []])
        return
    for line in own(number) if own else lines(number, ins):
        out.console.print(line)
    out.console.print()


def print_inspections(inspections: list[Inspection], console: Console | None = None) -> None:
    for number, ins in enumerate(inspections, 1):
        print_inspection(number, ins, console)


def one_line(ins: Inspection) -> str:
    """The proxy's line per exchange: method, path, code, verdict, first fix."""
    r, d, v = ins.request, ins.diagnosis, ins.verdict
    code = str(d.code) if d is not None and d.code is not None else (str(r.response.status) if r.response and r.response.status else "-")
    verdict = v.status + (f"({'+'.join(v.variants)})" if v.variants else "")
    errors = [f.id for f in ins.findings if f.severity == "error"]
    caused = v.status == "mismatch" and bool(v.variants)  # what the code signed: more precise than a generic fix
    if caused:
        fix = v.sentence
    else:
        fix = d.fixes[0].text if d is not None and d.fixes and d.code != 1000 else ""
    parts = [_printable(r.method), _printable(clip(r.target, 80)), code, f"sig={verdict}"]
    if errors:
        parts.append("lint=" + ",".join(dict.fromkeys(errors)))
    if fix:
        parts.append(("cause: " if caused else "fix: ") + _printable(clip(fix, 160)))
    return "  ".join(parts)
