"""The human view of an Inspection: findings, the signature verdict with the differing bytes marked, the diagnosis."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tui.diagnose_evidence import clip
from tui.inspect.report import Inspection, marks
from tui.terminal_safe import shown

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
STATUS_STYLE = {"match": "green", "mismatch": "bold red", "unchecked": "dim"}


def _printable(text: object) -> str:
    """Every input- or server-controlled string goes through the terminal sanitiser: a pasted request
    or a bot's request line must not write the clipboard (OSC 52) or move the cursor."""
    return shown(text)


def lines(number: int, ins: Inspection) -> list[Text]:
    r = ins.request
    out = [Text.assemble((f"{number}. {_printable(r.method)} ", "bold"), (_printable(clip(r.url, 200)), "bold"),
                         (f"   ({_printable(r.label)}; {ins.venue})", "dim"))]
    for note in r.notes:
        out.append(Text(f"   note: {_printable(note)}", style="dim"))
    for f in ins.findings:
        out.append(Text.assemble("   ", (f"{f.severity:<8}", SEVERITY_STYLE[f.severity]), (f"{f.id:<28}", "cyan"), _printable(f.sentence)))
    v = ins.verdict
    title = v.status.upper() + (f": {' + '.join(v.variants)}" if v.variants else "")
    out.append(Text.assemble("   signature ", (title, STATUS_STYLE[v.status]), f"  {_printable(v.sentence)}"))
    if v.signed is not None and v.expected is not None and v.signed != v.expected:
        signed, expected = _printable(v.signed), _printable(v.expected)
        under_signed, under_expected = marks(signed, expected)
        out.append(Text(f"     signed   {signed}"))
        if under_signed:
            out.append(Text(f"              {under_signed}", style="bold red"))
        out.append(Text(f"     expected {expected}"))
        if under_expected:
            out.append(Text(f"              {under_expected}", style="bold green"))
    elif v.expected is not None and v.status != "unchecked":
        out.append(Text(f"     signed string {_printable(v.expected)}", style="dim"))
    d = ins.diagnosis
    if d is not None:
        out.append(Text.assemble("   response  ", (_printable(d.headline), "bold" if d.code == 1000 else "yellow")))
        if v.variants:  # the forensics found the cause: the code table's generic first fix would only distract
            out.append(Text("   first fix sign exactly what is sent: see the signature line above."))
        elif d.fixes and d.code != 1000:
            out.append(Text(f"   first fix {_printable(d.fixes[0].text)}"))
    return out


def print_inspections(inspections: list[Inspection], console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=True)
    for number, ins in enumerate(inspections, 1):
        for line in (ins.lines(number) if hasattr(ins, "lines") else lines(number, ins)):  # a WebSocket login draws itself
            console.print(line)
        console.print()


def one_line(ins: Inspection) -> str:
    """The proxy's line per exchange: method, path, code, verdict, first fix."""
    r, d, v = ins.request, ins.diagnosis, ins.verdict
    code = str(d.code) if d is not None and d.code is not None else (str(r.response.status) if r.response and r.response.status else "-")
    verdict = v.status + (f"({'+'.join(v.variants)})" if v.variants else "")
    errors = [f.id for f in ins.findings if f.severity == "error"]
    if v.variants:
        fix = v.sentence  # what the code signed: more precise than the code's generic first fix
    else:
        fix = d.fixes[0].text if d is not None and d.fixes and d.code != 1000 else ""
    parts = [_printable(r.method), _printable(clip(r.target, 80)), code, f"sig={verdict}"]
    if errors:
        parts.append("lint=" + ",".join(errors))
    if fix:
        parts.append(("cause: " if v.variants else "fix: ") + _printable(clip(fix, 160)))
    return "  ".join(parts)
