"""One way for a test to draw its random seed: printed with the variable that replays it (pytest
shows a test's output when it fails), so any failure can be run again with the same values."""

from __future__ import annotations

import os
import random


def drawn_seed(variable: str) -> int:
    """The seed in $VARIABLE if set, else a fresh one; printed either way."""
    seed = int(os.environ.get(variable) or random.randrange(1 << 32))
    print(f"seed {seed} (replay with {variable}={seed})")
    return seed
