"""Time to a usable console: `keyprobe` (no key file, so it opens on the built-in emulator) against a
bare Textual app with a Footer, alternating, each in its own pseudo-terminal, same run.

Usable means the footer's keys are on screen, not Textual's Ready event (the footer's keys used to
arrive ~0.7 s after Ready). This script reads what each app writes to its terminal, drops the escape
sequences, and stops the clock when the app's footer keys have been written: keyprobe's first and last
footer keys (`^j Send` ... `f1 Help`), the bare app's two bindings (`f2 Go`, `f3 Quit`), both shown by
a Footer. The time is from just before the process is spawned, so interpreter start and imports count
for both.

Both read their modules' bytecode from one cache, written by a warm-up run of each that is not
counted: that is what an installed program does (pip compiles a wheel's modules at install, and an
editable checkout writes __pycache__ on its first run). The cache lives in a temporary folder
(PYTHONPYCACHEPREFIX), so nothing is written into the checkout or the venv.

    .venv/bin/python benchmarks/startup.py [--rounds 15] [--before /work/main]

Goal: keyprobe's median <= 1.15 x the bare app's median. Each app's CPU time by the moment its
footer was read (all its threads, from /proc) is printed too: load stretches wall-clock time far
more than CPU time, so on a busy machine the CPU ratio says whether a change really helped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from pty_session import COLUMNS, LINES, PtySession

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("f2", "bell", "Go"), ("f3", "quit", "Quit")]

    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

Bare().run()
"""

# The first and last key of each footer, as text once the escape sequences are dropped.
FOOTER_KEYS = {"keyprobe": ("Send", "f1 Help"), "bare": ("f2 Go", "f3 Quit")}


def app_env(home: str, pycache: str) -> dict[str, str]:
    """Both apps' environment: an empty KEYPROBE_HOME, and one bytecode cache the warm-up writes (see above)."""
    env = dict(os.environ, KEYPROBE_HOME=home, PYTHONPYCACHEPREFIX=pycache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("KEYPROBE_READY_FD", None)
    return env


def checkout_console(checkout: str) -> tuple[list[str], str]:
    """`python -m tui` of another checkout (its own .venv), run from its folder: `--before /work/main`."""
    return [os.path.join(checkout, ".venv", "bin", "python"), "-m", "tui"], checkout


def footer_ms(argv: list[str], keys: tuple[str, ...], home: str, pycache: str, timeout_s: float = 20.0,
              cwd: str | None = None) -> tuple[float, float]:
    """From just before the spawn to the output chunk that completed the footer's keys: (wall ms, the
    app's CPU ms by then)."""
    session = PtySession(argv, app_env(home, pycache), cwd=cwd)
    start = session.start()
    try:
        return (session.wait_for(keys, timeout_s=timeout_s) - start) * 1000, session.last_cpu_ms
    finally:
        session.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--before", metavar="CHECKOUT", help="also time the console of another checkout with its own "
                        ".venv (e.g. the main branch's), in the same rotation: a before/after measured back to back")
    args = parser.parse_args()
    apps: dict[str, tuple[list[str], tuple[str, ...], str | None]] = {
        "keyprobe": ([sys.executable, "-m", "tui"], FOOTER_KEYS["keyprobe"], None),
        "bare": ([sys.executable, "-c", BARE_APP], FOOTER_KEYS["bare"], None),
    }
    if args.before:
        argv, cwd = checkout_console(args.before)
        apps["before"] = (argv, FOOTER_KEYS["keyprobe"], cwd)
    names = list(apps)
    times: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache:
        for argv, keys, cwd in apps.values():  # warm the disk cache and every app's bytecode
            footer_ms(argv, keys, home, pycache, cwd=cwd)
        for n in range(args.rounds):
            for name in names[n % len(names):] + names[:n % len(names)]:  # each app first in turn
                argv, keys, cwd = apps[name]
                wall, spent = footer_ms(argv, keys, home, pycache, cwd=cwd)
                times[name].append(wall)
                cpu[name].append(spent)
    base = statistics.median(times["bare"])
    print(f"footer keys on screen, median of {args.rounds} alternating rounds in a {COLUMNS}x{LINES} pty:")
    labels = {"bare": "bare app + Footer", "keyprobe": "keyprobe console ", "before": "console (--before)"}
    for name in ("bare", "keyprobe", "before")[: len(names)]:
        values = times[name]
        print(f"  {labels[name]:18}: {statistics.median(values):7.1f} ms   (min {min(values):.1f}, max {max(values):.1f})")
    print(f"  ratio            : {statistics.median(times['keyprobe']) / base:7.2f}   (goal <= 1.15)")
    # On a shared machine the medians carry other processes' load; the minima are each app's own cost.
    print(f"  ratio of minima  : {min(times['keyprobe']) / min(times['bare']):7.2f}")
    if args.before:
        print(f"  ratio --before   : {statistics.median(times['before']) / base:7.2f}")
    # CPU time is what load inflates least: a cross-check of the wall-clock ratio on a busy machine.
    print("the app's CPU time (all threads) by then, median:")
    for name in ("bare", "keyprobe", "before")[: len(names)]:
        print(f"  {labels[name]:18}: {statistics.median(cpu[name]):7.1f} ms")
    print(f"  CPU ratio        : {statistics.median(cpu['keyprobe']) / statistics.median(cpu['bare']):7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
