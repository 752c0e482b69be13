"""`keyprobe skew --watch`: the loop of tui.clock.watch, printed a line per measurement, and a summary at the end."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

DEFAULT_INTERVAL_S = 60.0


def run_watch(args: argparse.Namespace, target: Any) -> int:
    from tui.clock import watch as clock_watch
    from tui.clock.drift import duration
    from tui.clock.store import ClockStore
    from tui.commands._target import wire_options
    from tui.output.terminal_safe import dumps as safe_json, shown
    from tui.transport.wire import Wire

    venue = target.venue
    interval = args.interval or DEFAULT_INTERVAL_S
    # An emulator started for this call dies with it: its samples would continue nothing.
    store = ClockStore() if target.emulator is None else None
    history, problem = store.load(venue.base_url) if store is not None else ([], None)
    if problem:
        print(f"keyprobe skew: {shown(problem)}", file=sys.stderr)
        store = None
    if not args.json:
        span = f"for {duration(args.for_s * 1000)}" if args.for_s is not None else "until Ctrl-C"
        print(f"Watching the clock of {venue.name} at {venue.base_url} every {duration(interval * 1000)} {span}.", flush=True)
        if history:
            print(f"{len(history)} earlier measurement(s), the first {duration(time.time() * 1000 - history[0].at_ms)} ago, "
                  "continue the fit.", flush=True)
    updates: list[Any] = []
    warned: set[str] = set()

    def on_update(update: Any) -> None:
        updates.append(update)
        if args.json:
            print(safe_json({"venue": venue.id, "base_url": venue.base_url, **update.to_dict()}), flush=True)
        else:
            print(line(update), flush=True)
        if update.note and update.note not in warned:
            warned.add(update.note)
            print(f"keyprobe skew: {shown(update.note)}", file=sys.stderr, flush=True)

    def keep(point: Any) -> str | None:
        return store.add(venue.base_url, [point]) if store is not None else None

    async def go() -> None:
        async with Wire(**wire_options(args)) as wire:  # type: ignore[arg-type]
            await clock_watch.watch(wire, venue, interval_s=interval, duration_s=args.for_s, on_update=on_update,
                                    history=history, keep=keep, recv_window_ms=args.recv_window, samples=args.samples,
                                    clock=clock_watch.SYSTEM)

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        pass
    if not args.json:
        print(summary(updates, kept=store is not None), flush=True)
    measured = [u for u in updates if u.estimate is not None]
    if not measured:
        return 3 if updates and all(u.unreachable for u in updates) else 1
    return 1 if measured[-1].estimate.verdict == "outside-30007-window" else 0


def line(update: Any) -> str:
    from tui.output.terminal_safe import shown

    when = time.strftime("%H:%M:%S", time.localtime(update.at_ms / 1000))
    head = f"{update.number:>4}  {when}  "
    if update.estimate is None:
        return head + f"could not measure: {shown(update.failure)}"
    est = update.estimate
    text = head + f"offset {est.offset_ms:+,.1f} ms ± {est.bound_ms:,.1f}"
    f = update.fit
    if f is None or not f.enough:
        return text + f"   drift: {not_enough_yet(f)}"
    text += f"   drift {f.drift_ppm:+,.1f} ppm ({f.drift_low_ppm:+,.1f} to {f.drift_high_ppm:+,.1f})"
    crossing, name = (update.recv_window, "recvWindow") if update.recv_window is not None else (update.timestamp_window, "window")
    if crossing.outside_now:
        return text + f"   outside the {crossing.window_ms / 1000:g} s {name}"
    if crossing.in_ms is not None:
        from tui.clock.drift import duration

        return text + f"   {crossing.window_ms / 1000:g} s {name} in {duration(crossing.in_ms)}"
    return text


def not_enough_yet(fit: Any) -> str:
    """Why there is no drift yet, in a sentence: "7 measurements so far, over 29.9 s; it needs them spread over 30 s or
    more" (before, "needs 3 measurements over at least 30 s (has 7 over 30.0 s)", the span rounded up)."""
    import math

    from tui.clock.drift import MIN_FIT_POINTS, MIN_FIT_SPAN_MS

    needs = f"it needs at least {MIN_FIT_POINTS}, spread over {MIN_FIT_SPAN_MS / 1000:g} s or more"
    if fit is None or fit.points <= 1:
        return f"1 measurement so far; {needs}"
    span_s = math.floor(fit.span_ms / 100) / 10  # rounded down: 29.96 s is not yet the 30 s it needs
    if fit.points >= MIN_FIT_POINTS:  # enough of them: only the span is missing
        needs = f"it needs them spread over {MIN_FIT_SPAN_MS / 1000:g} s or more"
    return f"{fit.points} measurements so far, over {span_s:.1f} s; {needs}"


def summary(updates: list[Any], kept: bool = True) -> str:
    from tui.clock.drift import crossing_sentence, duration

    measured = [u for u in updates if u.estimate is not None]
    if not measured:
        return "No measurement succeeded."
    last = measured[-1]
    lines = ["", last.estimate.verdict_sentence]
    f = last.fit
    if f is None or not f.enough:
        then = "the next run continues from these" if kept else "an emulator started for this call keeps none of them"
        lines.append(f"Not enough measurements for a drift yet (3 over at least 30 s); {then}.")
        return "\n".join(lines)
    since = " (since the clock stepped)" if f.restarted_at_ms is not None else ""
    lines.append(f"Drift {f.drift_ppm:+,.2f} ppm, between {f.drift_low_ppm:+,.2f} and {f.drift_high_ppm:+,.2f} ppm, "
                 f"from {f.points} measurements over {duration(f.span_ms)}{since}: the offset moves "
                 f"{abs(f.drift_ppm) * 86.4:,.0f} ms a day.")
    if last.recv_window is not None:  # None on a venue that takes no recvWindow (WOO X Pro)
        lines.append(crossing_sentence(f, last.recv_window, "recvWindow"))
    lines.append(crossing_sentence(f, last.timestamp_window, "timestamp window (30007)"))
    return "\n".join(lines)
