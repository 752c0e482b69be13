"""`keyprobe decode`: what a code means (`decode 30005`), or what a raw response means
(`decode --status 401 --body '{"code":30005,...}'`), for BitMart or WOO X Pro.

Exit codes: 0 when a documented row explains it (a documented code, success, or for a body without an
envelope the global HTTP table's row for its status); 1 when nothing in the venue's document does; 2 for
usage errors. Without --status, a pasted body is decoded with no status comparison (no status is assumed).
"""

from __future__ import annotations

from tui.terminal_safe import dumps as safe_json

import argparse
import sys
from typing import Any

FAMILIES = ("bitmart", "wooxpro")
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


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "decode",
        help="explain an error code, or decode a raw response, against the venue's documented table",
        description=(
            "Explain a code from BitMart's or WOO X Pro's error-code document (its row, category, likely causes, "
            "fixes and the document's oddities), or decode a raw response given with --body/--body-file and, "
            "optionally, its --status. Exit 0 when the document explains it, 1 when it does not, 2 for usage errors."
        ),
        epilog="examples:\n  keyprobe decode 30005\n  keyprobe decode 30005 --venue wooxpro --json\n"
        "  keyprobe decode --status 401 --body '{\"code\":30005,\"message\":\"Header X-BM-SIGN is wrong\"}'\n"
        "  curl -s URL | keyprobe decode --status 502 --body-file -",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("code", nargs="?", type=_code, metavar="CODE", help="a code such as 30005 (or 404 for the HTTP table)")
    p.add_argument("--venue", choices=FAMILIES, default="bitmart", help="whose document to read (default bitmart)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--body", metavar="TEXT", help="a raw response body to decode instead of a CODE")
    source.add_argument("--body-file", metavar="FILE", type=_body_file, help="read the response body from FILE ('-' for stdin)")
    p.add_argument("--status", type=_status, metavar="HTTP",
                   help="the response's HTTP status, compared with the documented one (default: none, no comparison)")
    p.add_argument("--json", action="store_true", help="print one JSON object (Diagnosis.to_dict())")
    p.set_defaults(func=run, decode_parser=p)


def run(args: argparse.Namespace) -> int:
    from tui.diagnose import Outcome, diagnose_response, explain_code

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
    explained = diagnosis.row is not None and diagnosis.outcome is not Outcome.UNDOCUMENTED_CODE
    if args.json:
        sys.stdout.write(safe_json(diagnosis.to_dict(), indent=2) + "\n")
    else:
        print_diagnosis(diagnosis)
    return 0 if explained else 1


# -- the human view ---------------------------------------------------------------------------------------------------


def print_diagnosis(diagnosis: Any, out: Any = None) -> None:
    """Code and message on top, documented versus actual status, category, causes, numbered fixes, dimmed notes.

    Every text goes in as a rich Text, never as markup: a body saying "[bold]" prints those characters.
    """
    from tui.render import SafeConsole  # a control character in a pasted body is shown escaped, never obeyed

    console = out or SafeConsole(file=sys.stdout, highlight=False)
    with console.capture() as captured:
        for renderable in _parts(diagnosis):
            console.print(renderable)
    # Grid cells are padded to the full width; a pasted or piped copy should not end every line in spaces.
    console.file.write("\n".join(line.rstrip() for line in captured.get().splitlines()) + "\n")


def _parts(d: Any) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    venue = VENUE_NAMES.get(d.venue, d.venue)
    parts: list[Any] = []
    row = d.row
    if d.outcome.value == "undocumented-code":
        parts.append(Text(d.headline, style="bold red"))
    elif d.code is not None and row is not None and row.table != "http" and d.row_chosen is False:
        parts.append(Text(f"{d.code}  one of {len(d.rows)} documented messages:", style="bold"))
        listed = Table.grid(padding=(0, 1))
        listed.add_column(no_wrap=True)
        listed.add_column()
        for r in d.rows:
            listed.add_row(" -", Text(r.message, style="bold"))
        parts.append(listed)
    elif d.code is not None and row is not None and row.table != "http":
        parts.append(Text.assemble((f"{d.code}  ", "bold"), (d.message or "", "bold")))
    elif row is not None:
        title = f"HTTP {row.code}  {row.message}" if d.actual_status is None else d.headline
        parts.append(Text(title, style="bold"))
    else:
        parts.append(Text(d.headline, style="bold red"))
    where = TABLE_NAMES.get(row.table, row.table) if row is not None else "no documented row"
    parts.append(Text.assemble(f"{venue} · {where} · category: ", (d.category, "cyan")))
    status = _status_line(d)
    if status is not None:
        parts.append(status)
    if d.body_message:
        parts.append(Text.assemble("Body says: ", (repr(d.body_message), "italic")))
    causes = [c for c in d.causes if not (d.body_message and c.startswith("The body's own message"))]  # shown above
    for title, items, numbered in (("Likely causes", causes, False), ("Fixes", d.fixes, True)):
        if not items:
            continue
        parts.append(Text(""))
        parts.append(Text(title, style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column()
        for i, item in enumerate(items, 1):
            text = Text(getattr(item, "text", item))
            evidence = getattr(item, "evidence", None)
            if evidence:
                text.append("\nevidence: " + evidence, style="yellow")
            grid.add_row(f"{i}." if numbered else "-", text)
        parts.append(grid)
    notes = [n for n in d.notes if not (d.row_chosen is False and n.startswith(f"{d.code} has {len(d.rows)} documented"))]
    if notes:
        parts.append(Text(""))
        parts.append(Text("Notes", style="dim bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for note in notes:
            grid.add_row(Text("-", style="dim"), Text(note, style="dim"))
        parts.append(grid)
    return parts


def _status_line(d: Any) -> Any:
    from rich.text import Text

    documented, actual = d.http_status, d.actual_status
    if documented is None and actual is None:
        return None
    line = Text("HTTP status: ")
    if documented is not None:
        line.append(f"documented {documented}")
    if actual is not None:
        line.append(f"{' · ' if documented is not None else ''}actual {actual}")
        if d.status_matches is True:
            line.append("  (matches)", style="green")
        elif d.status_matches is False:
            line.append("  MISMATCH: not the documented status", style="bold red")
    elif d.row is not None and d.row.table != "http":
        line.append("  (no response status given)", style="dim")
    return line
