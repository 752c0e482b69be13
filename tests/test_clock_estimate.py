"""tui/clock/estimate.py against the textbook estimate on the same samples (simulated round trips).

The benchmark (benchmarks/skew_accuracy.py) measures this over real sockets; here the legs' delays are
drawn from the benchmark's scenarios with a printed seed, so a failure replays exactly.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.seeds import drawn_seed
from tui.clock.estimate import CORRECTION_MIN_SAMPLES, Stamp, estimate_server_time, leg_corrected_middle

BASE = 1_700_000_000_000.0
TRIALS = 2000
SAMPLES = 9

# (request leg, answer leg) in ms, as the benchmark's emulator draws them: 1 ms latency plus uniform jitter.
SCENARIOS = {
    "symmetric jitter": (lambda r: 1 + r.uniform(0, 8), lambda r: 1 + r.uniform(0, 8)),
    "jitter on the answer leg": (lambda r: 1 + r.uniform(0, 1), lambda r: 1 + r.uniform(0, 1) + r.uniform(0, 12)),
    "jitter on the request leg": (lambda r: 1 + r.uniform(0, 1) + r.uniform(0, 12), lambda r: 1 + r.uniform(0, 1)),
    "constant asymmetric path": (lambda r: 1 + r.uniform(0, 8), lambda r: 7 + r.uniform(0, 8)),
    "exponential tails": (lambda r: 0.3 + r.expovariate(1 / 2), lambda r: 0.3 + r.expovariate(1 / 2)),
}


def sample(rng: random.Random, theta: float, start: float, out_ms: float, back_ms: float) -> Stamp:
    server = start + out_ms + theta  # stamped when the request arrives; S is that instant floored
    return Stamp(start, start + out_ms + back_ms, server_ms=int(server // 1))


def textbook(stamps: list[Stamp]) -> float:
    best = min(stamps, key=lambda s: s.rtt_ms)
    return best.server_ms + 0.5 - (best.t0_ms + best.t1_ms) / 2  # type: ignore[operator]


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[round(0.95 * (len(xs) - 1))]


@pytest.mark.parametrize("name", SCENARIOS)
def test_p95_error_is_no_worse_than_the_textbook_estimate_on_the_same_samples(name):
    rng = random.Random(drawn_seed("KEYPROBE_CLOCK_SEED"))
    out, back = SCENARIOS[name]
    ours, theirs = [], []
    for _ in range(TRIALS):
        theta = rng.uniform(-5_000, 5_000)
        start = BASE + rng.uniform(0, 1000)
        stamps = []
        for _ in range(SAMPLES):
            stamps.append(sample(rng, theta, start, out(rng), back(rng)))
            start = stamps[-1].t1_ms + rng.uniform(0, 0.5)
        est = estimate_server_time(stamps)
        low, high = est.interval
        assert low <= theta <= high and abs(est.offset_ms - theta) <= est.bound_ms + 1e-6
        ours.append(abs(est.offset_ms - theta))
        theirs.append(abs(textbook(stamps) - theta))
    assert p95(ours) <= p95(theirs), (name, p95(ours), p95(theirs))


def test_the_fastest_legs_excess_moves_the_middle_to_the_truth():
    """True offset 0; request legs all 1 ms; answer legs 1 ms plus 12 ms of jitter, at their expected places
    for 9 draws (2.2, 3.4, ... 11.8 ms). The plain middle of the intersection [-2.2, 1] is -0.6 ms, because
    the fastest answer leg is still 1.2 ms above its floor; the answer legs' spread says so, and the
    correction lands on the truth."""
    intervals = [(-(1 + 1.2 * k), 1.0) for k in range(1, 10)]
    assert leg_corrected_middle(intervals, -2.2, 1.0) == pytest.approx(0.0)
    few = intervals[: CORRECTION_MIN_SAMPLES - 1]
    assert leg_corrected_middle(few, -2.2, 1.0) == pytest.approx(-0.6)  # too few samples: the plain middle


def test_the_correction_never_leaves_the_intersection():
    intervals = [(-1.0, 0.1)] + [(-500.0, 0.2)] * 10
    assert leg_corrected_middle(intervals, -1.0, 0.1) == 0.1


legs = st.floats(min_value=0.0, max_value=50.0)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(theta=st.floats(min_value=-60_000, max_value=60_000),
       draws=st.lists(st.tuples(legs, legs, st.floats(min_value=0, max_value=100)), min_size=1, max_size=16))
@example(theta=0.0, draws=[(0.0, 0.0, 0.0)] * 5)
def test_the_offset_lies_in_the_reported_interval_and_the_interval_holds_the_truth(theta, draws):
    stamps, start = [], BASE
    for out_ms, back_ms, gap in draws:
        stamps.append(sample(random.Random(0), theta, start, out_ms, back_ms))
        start = stamps[-1].t1_ms + gap
    est = estimate_server_time(stamps)
    low, high = est.interval
    assert low - 1e-3 <= theta <= high + 1e-3  # epoch-ms doubles: a microsecond of rounding
    assert low <= est.offset_ms <= high and est.bound_ms == pytest.approx(max(est.offset_ms - low, high - est.offset_ms))
