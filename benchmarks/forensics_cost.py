"""Signature forensics: what one inspected request costs, by how far the search has to go.

Side by side in one run: the baseline is one plain signature (keys.signing.sign), what any client pays
per request; then keys.forensics.examine on requests whose signature (a) matches, (b) comes from one
mistake (a spaced body), (c) from a pair (spaced body + seconds timestamp), (d) from nothing known (the
whole bounded search: the honest "other secret" conclusion). Medians of --repeat runs each.

Usage: .venv/bin/python benchmarks/forensics_cost.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402
from keys.forensics import DEFAULT_MAX_HMACS, DEFAULT_MAX_SECONDS, SentSignature, examine  # noqa: E402
from keys.signing import Credentials, sign  # noqa: E402

TS = "1589267764859"
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}
COMPACT = json.dumps(ORDER, separators=(",", ":"))
SPACED = json.dumps(ORDER)


def timed(fn, repeat: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    creds = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
    cases = {
        "match": sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, COMPACT),
        "one mistake (body-spaced-json)": sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, SPACED),
        "a pair (spaced + seconds)": sign(EXAMPLE_SECRET, TS[:10], EXAMPLE_MEMO, SPACED),
        "nothing known (other secret)": sign("another secret", TS, EXAMPLE_MEMO, COMPACT),
    }
    base_ms, _ = timed(lambda: [sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, COMPACT) for _ in range(1000)], args.repeat)
    print(f"budget: {DEFAULT_MAX_HMACS:,} HMACs or {DEFAULT_MAX_SECONDS:g} s per request; medians of {args.repeat} runs")
    print(f"{'case':34} {'ms/request':>10} {'HMACs':>8} {'µs/HMAC':>8}   verdict")
    print(f"{'baseline: one plain sign()':34} {base_ms / 1000:10.4f} {1:8} {base_ms:8.2f}")
    for name, signature in cases.items():
        sent = SentSignature("POST", "/contract/private/submit-order", "", COMPACT.encode(), TS, signature, EXAMPLE_KEY)
        ms, verdict = timed(lambda: examine(sent, creds), args.repeat)
        per = ms * 1000 / max(verdict.hmacs, 1)
        print(f"{name:34} {ms:10.3f} {verdict.hmacs:8,} {per:8.2f}   {verdict.status} {'+'.join(verdict.variants)}")


if __name__ == "__main__":
    main()
