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
