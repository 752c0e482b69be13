"""One total time for reading and inspecting one input (issue 21 item 7): 16 MiB of curl commands or two
million header lines end in a sentence naming what was not examined, not in minutes of work.

The clock is injectable, so a test can spend the budget with a clock it advances itself (no big input, no
waiting). Every stage asks `spent()` between pieces of work it can stop after: a parser between lines or
commands, the inspect loop between requests; the forensics gets at most what is `left()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

TOTAL_S = 10.0


class Budget:
    def __init__(self, seconds: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = TOTAL_S if seconds is None else seconds
        self.clock = clock
        self.deadline = clock() + self.seconds

    def spent(self) -> bool:
        return self.clock() >= self.deadline

    def left(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def sentence(self, what: str) -> str:
        return f"Stopped after the {self.seconds:g} s budget for one input: {what}."


UNLIMITED = Budget(float("inf"))
