"""`keyprobe replay FILE|DIR... [--history N]`: send saved requests again, each signed afresh.

Exit codes: 0 every request returned 1000; 1 an API error; 2 a usage problem, or a request the key
refused to sign for (its host is not one the key is bound to: nothing was sent); 3 any transport
failure. Which key signs: --profile NAME for all; else the profile named in the file; else
KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO; else, for emulator requests, its demo key.
"""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import whole_number
from tui.commands._target_options import add_network_options, wire_options

HELP = "send saved requests again, each signed afresh"






def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "replay",
        help=HELP,
        description="Send saved requests (NAME.request.json files, or folders of them) or history entries again. "
        "Each is signed afresh with a new timestamp; a key signs only for its own venue's hosts, so a file "
        "pointing elsewhere is refused and not sent. A signed POST (or PUT/DELETE) to a real venue host asks first; without a terminal it needs --yes.",
        epilog="Exit 0 when every request returned 1000, 1 on an API error, 2 on a usage error, an unconfirmed write "
        "or a request the key refused to sign, 3 on a transport failure.",
    )
    p.add_argument("targets", nargs="*", metavar="FILE|DIR", help="saved request files, or folders of them")
    p.add_argument("--history", action="append", type=whole_number(1), default=[], metavar="N",
                   help="also replay history entry N (1 = the newest; see `keyprobe history`); repeatable")
    p.add_argument("--profile", metavar="NAME", help="sign every request with this key (default: each file's profile)")
    p.add_argument("--concurrency", type=whole_number(1), default=4, metavar="N", help="requests in flight at once (default 4)")
    p.add_argument("--repeat", type=whole_number(1), default=1, metavar="N", help="send the whole set N times (default 1)")
    p.add_argument("--base-url", metavar="URL", default=None,
                   help="where KEYPROBE_* credentials may sign (default: each venue's own address); a saved file never chooses it")
    add_network_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object per request per line, as each completes")
    p.add_argument("--yes", action="store_true", help="send signed writes (POST, PUT, DELETE) to real venue hosts without asking")
    p.add_argument("--no-history", action="store_true", help="do not add these sends to the history")
    p.set_defaults(func=run, parser=p)


def _say(text: str) -> None:
    from tui.output.terminal_safe import shown

    print(f"keyprobe replay: {shown(text)}", file=sys.stderr)


def _jobs(args: argparse.Namespace) -> list:
    """The jobs to send, or SystemExit(2) after saying every problem (nothing is sent then)."""
    from tui.records import history, saved
    from tui.replay import ReplayJob

    if not args.targets and not args.history:
        args.parser.error("name at least one saved request file or folder, or --history N")
    requests, problems = saved.load_all(args.targets)
    jobs = [ReplayJob.from_saved(r) for r in requests]
    if args.history:
        try:
            log = history.read()
        except history.HistoryError as exc:
            problems.append(str(exc))
        else:
            if (note := log.skipped_sentence()) is not None:
                _say(note)
            for number in args.history:
                try:
                    entry = log.pick(number)
                    draft = history.entry_draft(entry, f"history entry {number}")
                except history.HistoryError as exc:
                    problems.append(str(exc))
                    continue
                jobs.append(ReplayJob(entry.get("name") or f"history-{number}", draft, f"history entry {number}", entry.get("notes") or ""))
    if problems:
        for problem in problems:
            _say(problem)
        # Name only what was given: a bad --history N is not a file.
        given = " and ".join(w for w, on in (("files", args.targets), ("history entries", args.history)) if on)
        _say(f"nothing was sent; fix or leave out the {given} above.")
        raise SystemExit(2)
    return jobs


def environment_context(venue, credentials, base_url: str | None):
    """KEYPROBE_* credentials sign only where the command line says: --base-url, else the default address of
    the file's venue. A saved file names a venue; it never chooses the host or port an environment key goes to."""
    from urllib.parse import urlsplit
    from keys.hosts import LOOPBACK_HOSTS, host_port
    from tui.signing_context import SigningContext
    from tui.venues import VENUES

    where = urlsplit(base_url or VENUES[venue.id].base_url)
    host = where.hostname or ""
    port = where.port or (443 if where.scheme == "https" else 80)
    if host in LOOPBACK_HOSTS:
        hosts = frozenset({host_port(host, port)})
    elif base_url:
        hosts = frozenset({host if port == 443 else host_port(host, port)})
    else:
        return SigningContext.for_venue(VENUES[venue.id], credentials)  # the venue's own hosts, on 443
    return SigningContext(venue, credentials, hosts)


def _signing_for(args: argparse.Namespace):
    """A function job -> (SigningContext, the key as people read it: "main #d84ea451", "demo #d84ea451",
    "environment #…", "no key"). Profiles are unlocked once each, before anything is sent."""
    from tui.signing_context import environment_credentials
    from tui.signing_context import SigningContext

    cache: dict[str, SigningContext] = {}
    env = environment_credentials()

    def profile_signing(name: str) -> tuple[SigningContext, str]:
        if name not in cache:
            from tui.commands._profile import load_profile  # may ask for the passphrase; exits 2 on failure

            cache[name] = SigningContext.for_profile(load_profile(name))
        return cache[name], name

    def signing_for(job) -> tuple[SigningContext, str]:
        if args.profile:
            return profile_signing(args.profile)
        if job.draft.profile:
            return profile_signing(job.draft.profile)
        venue = job.draft.venue
        if env is not None:
            return environment_context(venue, env, args.base_url), "environment"
        if venue.is_emulator:
            from keys.demo import demo_key

            return SigningContext.for_venue(venue, demo_key("active").credentials), "demo"
        return SigningContext.for_venue(venue), "no key"  # public requests go; the signer refuses keyed and signed ones

    def labelled(job) -> tuple[SigningContext, str]:
        signing, who = signing_for(job)
        return signing, f"{who} {signing.credentials.fingerprint}" if signing.credentials is not None else "no key"

    return labelled


def _confirmed(args: argparse.Namespace, jobs: list) -> bool:
    from urllib.parse import urlsplit
    from tui.replay import needs_confirmation

    risky = [j for j in jobs if needs_confirmation(j.draft)]
    if not risky or args.yes:
        return True
    hosts = ", ".join(sorted({urlsplit(j.draft.url).hostname or "?" for j in risky}))
    count = len(risky) * args.repeat
    what = f"{count} signed write request{'s' if count != 1 else ''} (POST/PUT/DELETE) to {hosts}"
    if not sys.stdin.isatty():
        _say(f"refusing to send {what} without confirmation: nothing was sent. Run it on a terminal to be asked, or pass --yes.")
        return False
    print(f"This will send {what}, a real venue: orders may be placed or cancelled.", file=sys.stderr)
    print("Send them? [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer in ("y", "yes"):
        return True
    _say("not confirmed: nothing was sent.")
    return False


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.replay import exit_code

    jobs = _jobs(args)
    _say_where_files_go(args.base_url, jobs)
    if args.profile:  # the history and the table name the profile that signed, not the file's
        from dataclasses import replace

        jobs = [replace(j, draft=j.draft._replace(profile=args.profile)) for j in jobs]
    if not _confirmed(args, jobs):
        return 2
    from dataclasses import replace

    signing_for = _signing_for(args)
    signed = [(job, *signing_for(job)) for job in jobs]  # unlock profiles now, before any progress bar
    jobs = [replace(job, signer=who) for job, _signing, who in signed]
    signings = {id(job): signing for job, (_job, signing, _who) in zip(jobs, signed)}
    results = asyncio.run(_run(args, jobs, lambda j: signings[id(j)]))
    if env_bound_to_default(args, results):
        _say("KEYPROBE_* credentials sign only at the venue's own address (the emulator's: http://127.0.0.1:8640); "
             "a saved file never chooses where they go. Pass --base-url URL to name another, or --profile.")
    return exit_code(results)


def env_bound_to_default(args: argparse.Namespace, results: list) -> bool:
    """A request refused because KEYPROBE_* credentials, with no --base-url, sign only at the venue's default."""
    return args.base_url is None and any(r.refused and (r.job.signer or "").startswith("environment ") for r in results)


def _say_where_files_go(base_url: str | None, jobs: list) -> None:
    """--base-url never redirects a saved request (a file keeps the address it was saved with): say so when a
    user gave one that some requests do not go to, rather than ignore it in silence."""
    elsewhere = sorted({job.draft.venue.base_url for job in jobs if base_url and job.draft.venue.base_url.rstrip("/") != base_url.rstrip("/")})
    if elsewhere:
        _say(f"--base-url only says where KEYPROBE_* credentials may sign; a saved request goes to the address it "
             f"was saved with ({', '.join(elsewhere)}). To send one elsewhere, send it with `keyprobe send --base-url`.")


async def _run(args: argparse.Namespace, jobs: list, signing_for) -> list:
    from tui.output.terminal_safe import dumps as safe_json
    from tui.output.render import console
    from tui.replay import replay
    from tui.transport.wire import Wire

    out = console()
    total = len(jobs) * args.repeat
    progress = None
    if args.json:
        def on_result(r) -> None:
            print(safe_json(r.to_dict()), flush=True)
    elif out.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=out, transient=True)
        task = progress.add_task("replay", total=total)

        def on_result(r) -> None:
            progress.advance(task)
    else:
        def on_result(r) -> None:
            print("  ".join(_cells(r, args.repeat > 1)), flush=True)

    async with Wire(**wire_options(args)) as wire:  # type: ignore[arg-type]
        if progress is not None:
            progress.start()
        try:
            results = await replay(
                jobs, signing_for, wire=wire, concurrency=args.concurrency, repeat=args.repeat,
                on_result=on_result, on_warning=lambda w: _say(f"(not added to the history: {w})"),
                record_history=not args.no_history,
            )
        finally:
            if progress is not None:
                progress.stop()
    if not args.json:
        if out.is_terminal:
            _print_table(out, results, args.repeat > 1)
        print(_summary(results))
    return results


_MARK = {"ok": "ok", "api-error": "API error", "refused": "refused", "transport-failure": "no answer"}


def _cells(r, with_round: bool) -> list[str]:
    from tui.output.terminal_safe import shown

    name = f"{r.job.name} #{r.round}" if with_round else r.job.name
    ms = f"{r.ms:.1f} ms" if r.ms is not None and not r.refused else "-"
    return [shown(c) for c in (
        _MARK[r.outcome],
        name,
        str(r.status) if r.status is not None else "-",
        str(r.diagnosis.code) if r.diagnosis.code is not None else "-",
        ms,
        r.message,
        f"signed by {r.job.signer or 'no key'}",
    )]


def _print_table(out, results: list, with_round: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title_justify="left")
    for column in ("", "name", "status", "code", "time", "message", "signed by"):
        table.add_column(column, justify="right" if column in ("status", "code", "time") else "left",
                         overflow="fold", no_wrap=column in ("", "status", "code", "time"))
    style = {"ok": "green", "api-error": "yellow", "refused": "red", "transport-failure": "magenta"}
    for r in results:
        mark, *rest = _cells(r, with_round)
        rest[-1] = r.job.signer or "no key"
        table.add_row(Text("✓" if r.ok else "✗", style=style[r.outcome]), *(Text(c) for c in rest))
    out.print(table)


def _summary(results: list) -> str:
    from collections import Counter

    counts = Counter(r.outcome for r in results)
    labels = (("ok", "ok", "ok"), ("api-error", "API error", "API errors"), ("refused", "refused", "refused"),
              ("transport-failure", "transport failure", "transport failures"))
    parts = [f"{counts[k]} {one if counts[k] == 1 else many}" for k, one, many in labels if counts[k]]
    ms = [r.ms for r in results if r.ms is not None and not r.refused]
    timing = f"; median {sorted(ms)[len(ms) // 2]:.1f} ms" if ms else ""
    noun = "request" if len(results) == 1 else "requests"
    return f"{len(results)} {noun}: {', '.join(parts) or 'none'}{timing}."
