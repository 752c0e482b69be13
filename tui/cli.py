"""`keyprobe`: with no subcommand the console, otherwise a headless command.

Exit codes shared by every command: 0 success, 1 the API answered with an error, 2 a usage error
(argparse's own), 3 a transport failure, 141 the reader of the output closed the pipe (`| head`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import tui.commands
from tui.commands._args import VENUE_IDS, help_formatter

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a C tool killed by the closed pipe would report

# The order `keyprobe --help` lists them in; a command module not named here is listed after these.
ORDER = ("send", "decode", "skew", "probe", "ws", "replay", "history", "keys", "emulator")


def _command_modules() -> list[str]:
    found = {name[:-3] for folder in tui.commands.__path__ for name in os.listdir(folder)
             if name.endswith(".py") and not name.startswith("_")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


# The console's options that take a value: the word after one is that value, never a command (`--venue emulator`).
VALUE_OPTIONS = ("--venue", "--profile", "--base-url", "--emulator-flavour")


def _named_commands(argv: list[str] | None, commands: list[str]) -> set[str]:
    """The command whose parser this argv reaches: the first word that names one (`keyprobe decode 30005` names
    decode), the value of a console option before it aside (`--venue emulator send ...` names send: `emulator` is
    the venue). Only that one is built (and its module imported); with none named, the others are listed by name
    and HELP alone, which is all `keyprobe --help` or a top-level usage error shows. None is named when -h/--help
    comes before it (`keyprobe --help decode` is the top-level help, listing every command). Words after the
    command are its own arguments (`send ... --venue emulator` does not build the emulator command's parser)."""
    argv = sys.argv[1:] if argv is None else argv
    value_next = False
    for word in argv:
        if value_next:
            value_next = False
        elif word in ("-h", "--help"):
            return set()
        elif word in commands:
            return {word}
        elif word.startswith("--") and "=" not in word and len(word) > 2:
            value_next = any(option.startswith(word) for option in VALUE_OPTIONS)  # argparse takes a prefix too
    return set()


class _Version(argparse.Action):
    """--version: tui.__version__, which the distribution's metadata is built from (pyproject.toml), so
    printing it needs no importlib.metadata (that import alone costs several times `python -c pass`)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print keyprobe's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"keyprobe {tui.__version__}")
        parser.exit()


def _add_console_options(parser: argparse.ArgumentParser) -> None:
    """The console's own options (no subcommand); their dests differ from the subcommands' --venue."""
    console = parser.add_argument_group("console (no command)")
    console.add_argument("--venue", dest="console_venue", metavar="VENUE", choices=VENUE_IDS,
                         help="open on this venue (default: the local emulator; other venues use a profile or KEYPROBE_* variables)")
    console.add_argument("--profile", dest="console_profile", metavar="NAME", help="open with this profile from the key file")
    console.add_argument("--base-url", dest="console_base_url", metavar="URL",
                         help="open on the venue at this base URL without creating a profile (KEYPROBE_* credentials; "
                              "a keyed request goes only over https, loopback aside)")
    console.add_argument("--emulator-flavour", dest="console_flavour", choices=("wooxpro", "bitmart"), default="wooxpro",
                         help="the built-in emulator's dialect (default: wooxpro; bitmart: BitMart's, which is winding down)")


def _console_args(argv: list[str] | None) -> argparse.Namespace | None:
    """The console's arguments when argv holds nothing else, without importing any subcommand module:
    the console paints its first frame sooner (benchmarks/startup.py). None: use the full parser."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if any(a in ("-h", "--help", "--version") for a in argv) or _named_commands(argv, _command_modules()):
        return None
    parser = argparse.ArgumentParser(prog="keyprobe", add_help=False, exit_on_error=False, formatter_class=help_formatter())
    _add_console_options(parser)
    try:
        args, extra = parser.parse_known_args(argv)
    except (argparse.ArgumentError, SystemExit):
        return None  # the full parser reports it, with the whole usage
    if extra:
        return None
    args.command = None
    return args


def build_parser(whole: set[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every subcommand (`whole` None), or with the commands in `whole` only (those an argv
    names: it can reach no other), or with an empty `whole` every command as its name and help line (enough
    to list them, not to parse their arguments). Each ArgumentParser costs a start-up a few gettext look-ups."""
    parser = argparse.ArgumentParser(
        prog="keyprobe",
        description="Sign, send and diagnose WOO X Pro and BitMart API requests. With no command, opens the console.",
        formatter_class=help_formatter(),
    )
    parser.add_argument("--version", action=_Version)
    _add_console_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        if whole and name not in whole:
            continue
        module = importlib.import_module(f"tui.commands.{name}")
        if whole is None or name in whole:
            module.register(sub)
        else:
            sub.add_parser(name, help=module.HELP, add_help=False)
    return parser


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """The full parse. An option a subcommand does not know is reported with that subcommand's
    usage (argparse's own parse_args would print the top-level usage for it).

    The console's options typed before a command (`keyprobe --profile main send ...`) are the command's:
    they are parsed as if typed after it, so `send` signs with that profile. Before, the top-level parser
    kept them for the console and the command ran without them (the demo key, code 1000, no word). A
    command without such an option refuses it with a sentence, exit 2."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_named_commands(argv, _command_modules()))
    args, extra = parser.parse_known_args(argv)
    command = getattr(args, "command", None)
    subparsers = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
    owner = subparsers.choices.get(command, parser) if subparsers is not None and command else parser
    leading = _leading_options(parser, argv, command) if command else []
    if leading:
        rest = argv[len(leading) + 1:]
        cut = rest.index("--") if "--" in rest else len(rest)
        args, extra = parser.parse_known_args([command, *rest[:cut], *leading, *rest[cut:]])
        misplaced = [word for word in extra if word in leading]
        if misplaced:
            owner.error(f"{' '.join(leading)} came before `{command}`, and `keyprobe {command}` has no such option; "
                        f"nothing was done. Options go after the command's name (`keyprobe {command} --help` lists them).")
    if extra:
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _leading_options(parser: argparse.ArgumentParser, argv: list[str], command: str) -> list[str]:
    """The words before the command's name: top-level options and their values (`--profile main`)."""
    at = 0
    while at < len(argv) and argv[at] != command:
        word = argv[at]
        takes_value = False
        if word.startswith("--") and "=" not in word:
            matches = [a for name, a in parser._option_string_actions.items() if name.startswith(word)]
            takes_value = len({id(a) for a in matches}) == 1 and matches[0].nargs is None and not matches[0].const
        at += 2 if takes_value else 1
    return argv[:at]


def main(argv: list[str] | None = None) -> int:
    args = _console_args(argv) or _parse(argv)
    if getattr(args, "may_log_secrets", True):
        # Before anything can log: mask secrets and key/sign headers, keep httpx/httpcore at WARNING
        # (KEYPROBE_DEBUG_HTTP=1 shows their debug lines on stderr, masked). Parsing logs nothing, so
        # --help, --version and usage errors skip it; so does a command that sets may_log_secrets=False
        # (decode: it loads no key and imports no HTTP client, and tests/test_cli_startup.py holds it to that).
        from keys.redact_logging import install_logging

        install_logging()
    if args.command is None:
        if getattr(args, "console_profile", None) and getattr(args, "console_base_url", None):
            # --base-url opens without a profile: the profile was dropped without a word, and the console signed
            # with KEYPROBE_* or the emulator's demo key instead.
            print("keyprobe: --base-url opens the console without a profile (KEYPROBE_* credentials), so it cannot go with "
                  "--profile; nothing was opened. Give the profile its base URL instead: "
                  "keyprobe keys add NAME --venue VENUE --base-url URL --replace.", file=sys.stderr)
            return 2
        from tui.startup_gc import pause_gc

        pause_gc()  # before Textual is imported: the first frame resumes it (tui/startup_gc.py)
        from tui.console.app import run_console

        return run_console(args)
    # This run is the process (`keyprobe ...`, `python -m tui ...`), not a caller's function call: what it builds
    # lives until the exit, which send and inspect tell the collector (tui/startup_gc.py).
    args.whole_process = argv is None
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """`keyprobe history | head -1`: the reader closed the pipe. Not an error worth a traceback; the
    exit status is the shell's convention for SIGPIPE. stdout is pointed at /dev/null so the
    interpreter's final flush does not raise again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
