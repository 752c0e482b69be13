"""`keyprobe proxy`: a loopback pass-through your bot points at; every exchange linted, checked and diagnosed."""

from __future__ import annotations

import argparse
import sys

from tui.commands._args import help_formatter, whole_number

HELP = "a diagnosing pass-through for your bot: point its base URL here"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "proxy",
        help=HELP,
        description=(
            "Listen on 127.0.0.1 and forward every request unchanged (only Host is rewritten) to the upstream, "
            "streaming each answer back unchanged. Each exchange is linted, its signature checked with your key "
            "material (--profile or KEYPROBE_*; the demo keys with --upstream emulator) and its answer diagnosed: "
            "one line per exchange, or one JSON object per line with --json. Exchanges go into the history "
            "(source proxy). Point ccxt's urls['api'] or the SDK's url= at the printed address."
        ),
        epilog="examples:\n  keyprobe proxy --upstream emulator\n  keyprobe proxy --upstream wooxpro --profile main --json",
        formatter_class=help_formatter(argparse.RawDescriptionHelpFormatter),
    )
    p.add_argument("--upstream", default="emulator", metavar="WHERE",
                   help="wooxpro, bitmart, bitmart-spot, emulator (in-process, the default) or an https URL of the venue")
    p.add_argument("--emulator-flavour", choices=("wooxpro", "bitmart"), default="wooxpro",
                   help="with --upstream emulator: which venue it plays (default wooxpro; bitmart: BitMart's X-BM-* dialect)")
    p.add_argument("--port", type=whole_number(0, 65535), default=8650, help="port on 127.0.0.1 (default 8650; 0 = any free)")
    p.add_argument("--profile", metavar="NAME", help="the key to check signatures with (else KEYPROBE_* variables)")
    p.add_argument("--uid", metavar="UID", help="your account UID, also tried as a memo")
    p.add_argument("--json", action="store_true", help="one JSON object per exchange (the inspect --json shape)")
    p.add_argument("--no-history", action="store_true", help="do not record the exchanges in the history")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import threading

    from tui.signing_context import environment_credentials as env_credentials
    from tui.proxy import Proxy, UpstreamRefused

    credentials, allowed = [], None
    if args.profile:
        from tui.commands._profile import load_profile

        profile = load_profile(args.profile)
        credentials.append(profile.credentials)
        allowed = profile.allowed_hosts
    elif (creds := env_credentials()) is not None:
        credentials.append(creds)
    proxy = Proxy(args.upstream, allowed_hosts=allowed, port=args.port, credentials=credentials, uid=args.uid,
                  history=not args.no_history, emulator_flavour=args.emulator_flavour)
    proxy.listeners.append(_printer(args.json))
    # The observer thread (forensics, history) shares the GIL with the relay's loop; at the default 5 ms
    # switch interval a relay waiting behind it added up to 5 ms to a bot's call (p90 8 ms in the benchmark).
    sys.setswitchinterval(0.0005)
    from tui.commands.emulator import _stop_on_sigterm

    _stop_on_sigterm()  # before anything listens: `kill` stops it as cleanly as Ctrl-C, at any moment from here
    try:
        try:
            proxy.start()
        except UpstreamRefused as exc:
            print(f"keyprobe proxy: {exc}", file=sys.stderr)
            return 2
        except OSError as exc:
            print(f"keyprobe proxy: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}. "
                  "Is another proxy running? Try --port 0.", file=sys.stderr)
            return 3
        upstream = proxy.upstream.base_url if proxy.upstream else args.upstream
        where = f" (in-process emulator at {upstream})" if proxy.emulator is not None else f" -> {upstream}"
        print(f"keyprobe proxy listening on {proxy.base_url}{where}. Point your bot's base URL here; Ctrl-C stops it.",
              file=sys.stderr, flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        for problem in dict.fromkeys(proxy.history_problems):
            print(f"keyprobe proxy: {problem}", file=sys.stderr)
        if proxy.unexamined:
            count = proxy.unexamined
            print(f"keyprobe proxy: {count:,} exchange{'s were' if count != 1 else ' was'} relayed but not examined (the checks "
                  "fell behind a bot sending large bodies, or the proxy stopped first).", file=sys.stderr)
    return 0


def _printer(as_json: bool):
    import threading

    lock = threading.Lock()

    def show(inspection, relayed) -> None:
        from tui.output.terminal_safe import dumps
        from tui.inspect.render import one_line

        line = dumps(inspection.to_dict()) if as_json else one_line(inspection)
        with lock:
            try:
                print(line, flush=True)
            except BrokenPipeError:
                pass

    return show
