"""Signature forensics against the raw `hmac.digest` rate (issue 23 item 3, issue 26's fair baseline).

The baseline is what the search is made of: `hmac.digest(secret, message, "sha256")` over as many messages of
the same length as the search tries, timed in the same run (the key schedule redone per call, as a naive
search would). keyprobe's side is keys.forensics.examine on a request whose signature nothing known reproduces:
the whole bounded search, every candidate built, hashed and compared, the worst case a request can cost. Its
rate is HMACs tried per second of that search. Beside it, what a request costs by how far the search goes:
a match, one mistake (a spaced body), a pair (spaced body + seconds timestamp), a second clock reading.
Medians of --repeat alternating runs.

Goal: the worst case at >= 0.9x the raw hmac.digest rate.

    .venv/bin/python benchmarks/forensics_cost.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import hmac
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402
from keys.forensics import DEFAULT_MAX_HMACS, SentSignature, examine  # noqa: E402
from keys.signing import Credentials, sign  # noqa: E402

TS = "1589267764859"
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}
COMPACT = json.dumps(ORDER, separators=(",", ":"))
SPACED = json.dumps(ORDER)
PATH = "/contract/private/submit-order"


def timed(fn, repeat: int) -> tuple[list[float], object]:
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return runs, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    creds = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
    worst = SentSignature("POST", PATH, "", COMPACT.encode(), TS, sign("another secret", TS, EXAMPLE_MEMO, COMPACT), EXAMPLE_KEY)
    count = examine(worst, creds, max_seconds=600).hmacs
    messages = [f"{int(TS) + i}#{EXAMPLE_MEMO}#{COMPACT}".encode() for i in range(count)]  # same length as the search's
    key = EXAMPLE_SECRET.encode()

    def raw() -> None:
        for message in messages:
            hmac.digest(key, message, "sha256")

    raw_runs, search_runs = [], []
    for _ in range(repeat):  # alternating, so both sides see the same load
        raw_runs += timed(raw, 1)[0]
        search_runs += timed(lambda: examine(worst, creds, max_seconds=600), 1)[0]
    raw_rate, search_rate = count / statistics.median(raw_runs), count / statistics.median(search_runs)
    print(f"the whole search when nothing known reproduces the signature: {count:,} HMACs (budget {DEFAULT_MAX_HMACS:,}); "
          f"medians of {repeat} alternating runs")
    print(f"  raw hmac.digest over {count:,} messages : {statistics.median(raw_runs) * 1000:8.1f} ms  {raw_rate:12,.0f} HMAC/s")
    print(f"  keyprobe's worst-case search           : {statistics.median(search_runs) * 1000:8.1f} ms  {search_rate:12,.0f} HMAC/s")
    ratio = search_rate / raw_rate
    print(f"goal: search rate >= 0.9x the raw hmac.digest rate: {ratio:.2f}x, {'met' if ratio >= 0.9 else 'NOT met'}")
    print()
    cases = {
        "match": sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, COMPACT),
        "one mistake (body-spaced-json)": sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, SPACED),
        "a pair (spaced + seconds)": sign(EXAMPLE_SECRET, TS[:10], EXAMPLE_MEMO, SPACED),
        "a second clock reading, 900 ms off": sign(EXAMPLE_SECRET, str(int(TS) - 900), EXAMPLE_MEMO, COMPACT),
    }
    one = statistics.median(raw_runs) / count * 1000
    print(f"{'one request whose signature is':38} {'ms':>8} {'HMACs':>8} {'x one raw HMAC':>15}   verdict")
    for name, signature in cases.items():
        sent = SentSignature("POST", PATH, "", COMPACT.encode(), TS, signature, EXAMPLE_KEY)
        runs, verdict = timed(lambda: examine(sent, creds), repeat)
        ms = statistics.median(runs) * 1000
        print(f"{name:38} {ms:8.3f} {verdict.hmacs:8,} {ms / one:15.1f}   {verdict.status} {'+'.join(verdict.variants)}")


if __name__ == "__main__":
    main()
