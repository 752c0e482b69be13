"""`keyprobe history`: the sends so far, newest first (entry 1 is the latest send).

`keyprobe history --save N NAME` turns entry N into a saved request; `keyprobe replay --history N`
sends it again, signed afresh. The numbers move as new sends arrive: look them up just before use.
"""

from __future__ import annotations

import argparse
import sys

HELP = "list past sends (newest first); save one as a request file"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "history",
        help=HELP,
        description="List past sends (console, send, replay), newest first: entry 1 is the latest send. "
        "Entries keep the request (never a key, secret, memo, signature or timestamp) and its outcome.",
    )
    parser.add_argument("--limit", type=int, default=20, metavar="N", help="show the newest N entries (default 20; 0 = all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--save", nargs=2, metavar=("N", "NAME"), help="save entry N as the request NAME.request.json")
    parser.add_argument("--dir", metavar="D", help="folder to save into (default: the saved-requests folder)")
    parser.set_defaults(func=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    from tui.output.terminal_safe import dumps as safe_json
    from tui.records import history

    if args.limit < 0:
        args.parser.error("--limit must be 0 (all) or more")
    wanted = args.limit
    if args.save:
        try:
            wanted = max(int(args.save[0]), 1)
        except ValueError:
            args.parser.error(f"--save takes an entry number and a name, not {args.save[0]!r}")
    try:
        log = history.read_newest(wanted)  # from the end: only what is shown is parsed
    except history.HistoryError as exc:
        print(f"keyprobe: {exc}", file=sys.stderr)
        return 1
    if (note := log.skipped_sentence()) is not None:
        print(f"keyprobe: {note}", file=sys.stderr)
    if args.save:
        return _save(args, log)
    if args.dir:
        args.parser.error("--dir only goes with --save N NAME")
    shown = log.newest_first()
    if args.json:
        out = {
            "path": str(log.path),
            "total": log.total,
            "skipped_lines": log.skipped,
            "entries": [{"number": i, **e} for i, e in enumerate(shown, start=1)],
        }
        print(safe_json(out))
        return 0
    _print_table(shown, log.total, str(log.path))
    return 0


def _save(args: argparse.Namespace, log: object) -> int:
    from pathlib import Path

    from tui.records import history, saved

    number_text, name = args.save
    try:
        number = int(number_text)
    except ValueError:
        args.parser.error(f"--save takes an entry number and a name, not {number_text!r}")
    try:
        entry = log.pick(number)  # type: ignore[attr-defined]
        draft = history.entry_draft(entry, f"history entry {number}")
        path = saved.save(draft, name, Path(args.dir) if args.dir else None, notes=entry.get("notes") or "")
    except (history.HistoryError, saved.SavedRequestError) as exc:
        print(f"keyprobe: {exc}", file=sys.stderr)
        return 2
    print(f"Saved history entry {number} ({draft.method} {draft.path}) as {path}")
    return 0


def _row(number: int, e: dict) -> list[str]:
    from tui.output.terminal_safe import shown

    # A file anyone could edit: a field of another type is shown as missing, not a traceback.
    pairs = e.get("query") if isinstance(e.get("query"), list) else []
    query = "&".join(f"{p[0]}={p[1]}" for p in pairs if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str))
    request = f"{e.get('method', '?')} {e.get('path', '?')}{'?' + query if query else ''}"
    if e.get("name"):
        request = f"{e['name']}: {request}"
    timings = e.get("timings_ms")
    total_ms = timings.get("total") if isinstance(timings, dict) else None
    code = e.get("code")
    cells = [
        str(number),
        str(e.get("time", "")).replace("T", " ").removesuffix("Z"),
        str(e.get("source", "")),
        request,
        str(e.get("venue", "")),
        str(e.get("signer") or e.get("profile") or "-"),
        str(e.get("status") if e.get("status") is not None else "-"),
        str(code if code is not None else "-"),
        f"{total_ms:.1f} ms" if isinstance(total_ms, (int, float)) else "-",
        str(e.get("message") or ""),
    ]
    return [shown(c) for c in cells]  # a file anyone could edit, holding messages from servers


def _print_table(entries: list[dict], total: int, where: str) -> None:
    """A table on a terminal; one plain line per entry otherwise (for grep and pipes)."""
    from rich.table import Table
    from rich.text import Text

    from tui.output.render import console as make_console

    console = make_console()
    if not entries:
        console.print(f"No sends recorded yet ({where}).")
        return
    if not console.is_terminal:
        for number, e in enumerate(entries, start=1):
            print("  ".join(_row(number, e)))
        return
    table = Table(title=f"History: {len(entries)} of {total}, newest first (1 = newest)", title_justify="left")
    for column in ("#", "time (UTC)", "from", "request", "venue", "signed by", "HTTP", "code", "time", "outcome"):
        table.add_column(column, justify="right" if column in ("#", "HTTP", "code", "time") else "left", overflow="fold")
    for number, e in enumerate(entries, start=1):
        cells = _row(number, e)
        style = "green" if e.get("code") == 1000 else ("red" if e.get("failure") else "yellow")
        table.add_row(*cells[:7], Text(cells[7], style=style), *cells[8:])
    console.print(table)
