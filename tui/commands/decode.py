"""`keyprobe decode`: what a code means (`decode 30005`), or what a raw response means
(`decode --status 401 --body '{"code":30005,...}'`), for BitMart or WOO X Pro.

Exit codes: 0 when a documented row explains it (a documented code, success, or for a body without an
envelope the global HTTP table's row for its status); 1 when nothing in the venue's document does; 2 for
usage errors. Without --status, a pasted body is decoded with no status comparison (no status is assumed).
"""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import help_formatter, terminal_columns

FAMILIES = ("wooxpro", "bitmart")
VENUE_NAMES = {"bitmart": "BitMart", "wooxpro": "WOO X Pro"}
TABLE_NAMES = {"http": "global HTTP table", "auth": "authentication table", "contract": "contract table",
               "funding": "funding account table", "spot-public": "spot public market table",
               "spot": "spot and margin table", "websocket": "WebSocket table"}


def _code(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a code: a code is a whole number such as 30005") from None


def _status(text: str) -> int:
    try:
        status = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an HTTP status such as 401") from None
    if not 100 <= status <= 599:
        raise argparse.ArgumentTypeError(f"{status} is not an HTTP status (100-599)")
    return status


BODY_FILE_CAP = 32 * 1024 * 1024  # the most the wire keeps of an answer


def _body_file(text: str) -> bytes:
    from keys.bounded import UnreadableInput, read_file, read_stream

    try:
        if text == "-":
            return read_stream(sys.stdin.buffer, BODY_FILE_CAP, "body on stdin")
        return read_file(text, BODY_FILE_CAP, "response body")
    except UnreadableInput as exc:  # a FIFO, /dev/zero, a folder, or too large: a sentence, never a hang
        raise argparse.ArgumentTypeError(str(exc)) from None

HELP = "explain an error code, or decode a raw response, against the venue's documented table"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "decode",
        help=HELP,
        description=(
            "Explain a code from BitMart's or WOO X Pro's error-code document (its row, category, likely causes, "
            "fixes and the document's oddities), or decode a raw response given with --body/--body-file and, "
            "optionally, its --status. Exit 0 when the document explains it, 1 when it does not, 2 for usage errors."
        ),
        epilog="examples:\n  keyprobe decode 30005\n  keyprobe decode 30005 --venue wooxpro --json\n"
        "  keyprobe decode --status 401 --body '{\"code\":30005,\"message\":\"Header X-BM-SIGN is wrong\"}'\n"
        "  curl -s URL | keyprobe decode --status 502 --body-file -",
        formatter_class=help_formatter(argparse.RawDescriptionHelpFormatter),
    )
    p.add_argument("code", nargs="?", type=_code, metavar="CODE", help="a code such as 30005 (or 404 for the HTTP table)")
    p.add_argument("--venue", choices=FAMILIES, default="wooxpro",
                   help="whose document to read (default wooxpro; bitmart: BitMart's, with its wind-down state said first)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--body", metavar="TEXT", help="a raw response body to decode instead of a CODE")
    source.add_argument("--body-file", metavar="FILE", type=_body_file, help="read the response body from FILE ('-' for stdin)")
    p.add_argument("--status", type=_status, metavar="HTTP",
                   help="the response's HTTP status, compared with the documented one (default: none, no comparison)")
    p.add_argument("--json", action="store_true", help="print one JSON object (Diagnosis.to_dict())")
    # No key is loaded and no HTTP client imported here: nothing a logger could leak (tui.cli).
    p.set_defaults(func=run, decode_parser=p, may_log_secrets=False)


def run(args: argparse.Namespace) -> int:
    from tui.diagnosis.diagnose import Outcome, diagnose_response, explain_code

    parser: argparse.ArgumentParser = args.decode_parser
    raw = args.body.encode("utf-8", "surrogateescape") if args.body is not None else args.body_file
    if args.code is not None and raw is not None:
        parser.error("give either a CODE or a response body (--body/--body-file), not both")
    if args.code is None and raw is None:
        parser.error("give a CODE (e.g. 30005) or a response body with --body or --body-file")
    if args.status is not None and raw is None:
        parser.error("--status is the HTTP status of a response: use it with --body or --body-file")
    if raw is None:
        diagnosis = explain_code(args.venue, args.code)
    else:
        diagnosis = diagnose_response(args.venue, args.status, (), raw)
    diagnosis = _with_venue_state(diagnosis, args.venue)
    explained = diagnosis.row is not None and diagnosis.outcome is not Outcome.UNDOCUMENTED_CODE
    if args.json:
        from tui.output.terminal_safe import dumps as safe_json

        sys.stdout.write(safe_json(diagnosis.to_dict(), indent=2) + "\n")
    else:
        print_diagnosis(diagnosis)
    return 0 if explained else 1


def _with_venue_state(diagnosis, venue: str):  # noqa: ANN001, ANN202 - a Diagnosis
    """The venue's state today (the local clock: a code alone has no Date header), told before the document's row."""
    from keys import lifecycle
    from tui.diagnosis import venue_state
    from tui.diagnosis.diagnose import Fix

    return venue_state.apply(diagnosis, lifecycle.state_now(venue), Fix)


# -- the human view ---------------------------------------------------------------------------------------------------
# Plain text with ANSI styles on a terminal, not rich: importing rich's Console and Table alone costs more than the
# whole of `decode`'s 3x `python -c pass` budget (benchmarks/cli_startup.py), and this view is lines and two-column
# lists. Every text goes through shown(): a control character from a pasted body is printed escaped, never obeyed.

_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}

Span = tuple[str, str]  # (text, style): style is space-separated words of _SGR, "" for none


class _Lines:
    """The view's lines at the output's width, styled only when `color` (a terminal, and NO_COLOR unset)."""

    def __init__(self, width: int, color: bool) -> None:
        self.width, self.color, self.lines = max(width, 20), color, []

    def styled(self, text: str, style: str) -> str:
        if not (self.color and style and text):
            return text
        return f"\x1b[{';'.join(_SGR[w] for w in style.split())}m{text}\x1b[0m"

    def line(self, *spans: Span) -> None:
        """One line of spans; when it is wider than the output it is wrapped, unstyled (it is read, not scanned)."""
        from textwrap import wrap

        from tui.output.terminal_safe import shown

        spans = tuple((shown(text), style) for text, style in spans)
        plain = "".join(text for text, _ in spans)
        if len(plain) <= self.width:
            self.lines.append("".join(self.styled(text, style) for text, style in spans))
        else:
            self.lines.extend(wrap(plain, self.width, break_on_hyphens=False) or [""])

    def items(self, rows: list[tuple[str, list[Span]]], *, right: bool = False, marker_style: str = "") -> None:
        """A marker column ("-", "1.") and a text column wrapped beside it; a span's own newlines start new lines."""
        from textwrap import wrap

        from tui.output.terminal_safe import shown

        mark_width = max((len(mark) for mark, _ in rows), default=0)
        room = self.width - mark_width - 1
        for mark, spans in rows:
            first = True
            for text, style in spans:
                for paragraph in shown(text, multiline=True).split("\n"):
                    for piece in wrap(paragraph, room, break_on_hyphens=False) or [""]:
                        gutter = (mark.rjust(mark_width) if right else mark.ljust(mark_width)) if first else " " * mark_width
                        self.lines.append(f"{self.styled(gutter, marker_style)} {self.styled(piece, style)}".rstrip())
                        first = False


def print_diagnosis(diagnosis: object, file: object = None) -> None:
    """Code and message on top, documented versus actual status, category, causes, numbered fixes, dimmed notes."""
    import os

    out = file or sys.stdout
    color = out.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    view = _Lines(terminal_columns(out), color)
    _parts(diagnosis, view)
    out.write("\n".join(line.rstrip() for line in view.lines) + "\n")


def _parts(d, view: _Lines) -> None:
    venue = VENUE_NAMES.get(d.venue, d.venue)
    row = d.row
    state = d.venue_state
    if state is not None and state.sentence:  # the venue is winding down: said first, the document's row below
        view.line(("! " + state.sentence.rstrip(".") + ".", "bold yellow"))
    if d.outcome.value == "undocumented-code":
        view.line((d.headline, "bold red"))
    elif d.code is not None and row is not None and row.table != "http" and d.row_chosen is False:
        view.line((f"{d.code}  one of {len(d.rows)} documented messages:", "bold"))
        view.items([(" -", [(r.message, "bold")]) for r in d.rows])
    elif d.code is not None and row is not None and row.table != "http":
        view.line((f"{d.code}  ", "bold"), (d.message or "", "bold"))
    elif row is not None:
        view.line((f"HTTP {row.code}  {row.message}" if d.actual_status is None else d.headline, "bold"))
    else:
        view.line((d.headline, "bold red"))
    where = TABLE_NAMES.get(row.table, row.table) if row is not None else "no documented row"
    view.line((f"{venue} · {where} · category: ", ""), (d.category, "cyan"))
    status = _status_line(d)
    if status is not None:
        view.line(*status)
    if d.body_message:
        view.line(("Body says: ", ""), (repr(d.body_message), "italic"))
    causes = [c for c in d.causes if not (d.body_message and c.startswith("The body's own message"))]  # shown above
    for title, items, numbered in (("Likely causes", causes, False), ("Fixes", d.fixes, True)):
        if not items:
            continue
        view.lines.append("")
        view.line((title, "bold underline"))
        rows = []
        for i, item in enumerate(items, 1):
            spans = [(getattr(item, "text", item), "")]
            evidence = getattr(item, "evidence", None)
            if evidence:
                spans.append(("evidence: " + evidence, "yellow"))
            rows.append((f"{i}." if numbered else "-", spans))
        view.items(rows, right=numbered)
    notes = [n for n in d.notes if not (d.row_chosen is False and n.startswith(f"{d.code} has {len(d.rows)} documented"))
             and not (state is not None and n == state.sentence)]  # said on the first line
    if notes:
        view.lines.append("")
        view.line(("Notes", "dim bold"))
        view.items([("-", [(note, "dim")]) for note in notes], marker_style="dim")


def _status_line(d) -> list[Span] | None:
    documented, actual = d.http_status, d.actual_status
    if documented is None and actual is None:
        return None
    spans: list[Span] = [("HTTP status: ", "")]
    if documented is not None:
        spans.append((f"documented {documented}", ""))
    if actual is not None:
        spans.append((f"{' · ' if documented is not None else ''}actual {actual}", ""))
        if d.status_matches is True:
            spans.append(("  (matches)", "green"))
        elif d.status_matches is False:
            spans.append(("  MISMATCH: not the documented status", "bold red"))
    elif d.row is not None and d.row.table != "http":
        spans.append(("  (no response status given)", "dim"))
    return spans
