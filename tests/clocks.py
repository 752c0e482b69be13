"""Clocks for tests that compare timestamps."""

from __future__ import annotations

from keys.signing import OffsetClock


class SteppingClock:
    """Wall-clock milliseconds that never read the same twice: two requests signed in the same
    millisecond still get different timestamps, so a shared timestamp is a bug, not a coincidence.
    `reads` lists every value it gave out; `after`: a stamp its first reading must be later than."""

    apply = False
    offset_ms = 0.0

    def __init__(self, after: int | None = None) -> None:
        self.reads: list[int] = []
        self._last = after

    def now_ms(self) -> int:
        stamp = OffsetClock(apply=False).now_ms()
        if self._last is not None:
            stamp = max(stamp, self._last + 1)
        self._last = stamp
        self.reads.append(stamp)
        return stamp


class ManualClock:
    """Time that moves only when someone sleeps: `wall_ms()` and `monotonic()` read it, `await sleep(s)`
    moves it on by s at once. A watch given it (tui.clock.watch.WatchClock) and an emulator given its
    `monotonic` (EmulatorState.monotonic) agree on how much time passed, without waiting for any of it."""

    def __init__(self, wall_ms: float = 1_767_225_600_000.0) -> None:
        self.start_ms = wall_ms
        self.elapsed_s = 0.0
        self.sleeps: list[float] = []

    def wall_ms(self) -> float:
        return self.start_ms + self.elapsed_s * 1000

    def monotonic(self) -> float:
        return self.elapsed_s

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed_s += seconds

    def watch_clock(self):  # noqa: ANN201 - a tui.clock.watch.WatchClock
        from tui.clock.watch import WatchClock

        return WatchClock(self.wall_ms, self.sleep)
