"""`keyprobe inspect` of a 1,000-entry HAR of matching and one-mistake requests (issue 23 item 3's goal: <= 3 s
CPU, every entry getting the whole search), beside a bare script doing the least the same input needs.

The HAR is what a browser or mitmproxy saves of a bot's session against BitMart's futures host: half the
entries sign right and got 1000, half carry one mistake of a hand-written signer (a spaced body, a seconds
timestamp, a second clock reading up to 1.5 s off, SHA-512, `echo`'s newline, a hex-decoded secret, a wrong
memo case, a GET's query sorted...) and got 30005. The baseline reads the same HAR with json and computes one
HMAC per entry (match or not: no lint, no search, no diagnosis). keyprobe's verdicts are then checked: every
entry must be named with its own mistake, the last as well as the first (nothing cut by a shared budget).

    .venv/bin/python benchmarks/inspect_har.py [--entries 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import hmac
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402

HOST = "https://api-cloud-v2.bitmart.com"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV.update(KEYPROBE_API_KEY=EXAMPLE_KEY, KEYPROBE_SECRET=EXAMPLE_SECRET, KEYPROBE_MEMO=EXAMPLE_MEMO)
BASELINE = '''import hashlib, hmac, json, os, sys
doc = json.load(open(sys.argv[1]))
secret, memo = os.environ["KEYPROBE_SECRET"].encode(), os.environ["KEYPROBE_MEMO"]
for entry in doc["log"]["entries"]:
    request = entry["request"]
    headers = {h["name"].lower(): h["value"] for h in request["headers"]}
    payload = request["postData"]["text"] if request["method"] == "POST" else request["url"].partition("?")[2]
    mac = hmac.new(secret, f"{headers['x-bm-timestamp']}#{memo}#{payload}".encode(), hashlib.sha256).hexdigest()
    print("match" if mac == headers["x-bm-sign"] else "mismatch")
'''


def _sign(ts: str, payload: str, *, memo: str = EXAMPLE_MEMO, key: bytes = EXAMPLE_SECRET.encode(), alg: str = "sha256",
          suffix: str = "") -> str:
    return hmac.new(key, f"{ts}#{memo}#{payload}{suffix}".encode(), alg).hexdigest()


def entry(number: int, rng: random.Random) -> tuple[dict, tuple[str, ...]]:
    """One exchange and the variant ids its signature should be named with (() for a match)."""
    ts = str(1796660000000 + number * 1000 + rng.randrange(1000))
    order = {"symbol": "BTCUSDT", "side": 1 + number % 2, "type": "limit", "leverage": "10", "open_type": "isolated",
             "size": 1 + number % 7, "price": str(20000 + number)}
    body = json.dumps(order, separators=(",", ":"))
    method, url, sent_body, expected = "POST", f"{HOST}/contract/private/submit-order", body, ()
    kind = number % 24 if number % 2 else None
    mistakes = {
        1: (("body-spaced-json",), lambda: _sign(ts, json.dumps(order))),
        3: (("timestamp-seconds",), lambda: _sign(ts[:10], body)),
        5: (("timestamp-other",), lambda: _sign(str(int(ts) - rng.randrange(1, 1500)), body)),
        7: (("digest-sha512",), lambda: _sign(ts, body, alg="sha512")),
        9: (("preimage-trailing-newline",), lambda: _sign(ts, body, suffix="\n")),
        11: (("secret-hex-decoded",), lambda: _sign(ts, body, key=bytes.fromhex(EXAMPLE_SECRET))),
        13: (("memo-case",), lambda: _sign(ts, body, memo=EXAMPLE_MEMO.upper())),
        15: (("secret-whitespace",), lambda: _sign(ts, body, key=(EXAMPLE_SECRET + "\n").encode())),
        17: (("body-python-repr",), lambda: _sign(ts, str(order))),
        19: (("timestamp-other",), lambda: _sign(str(int(ts) + rng.randrange(1, 1500)), body)),
        21: (("post-signed-as-query",), lambda: _sign(ts, "&".join(f"{k}={v}" for k, v in order.items()))),
    }
    if kind == 23:  # a GET whose query was signed sorted
        method, sent_body = "GET", ""
        query = f"symbol=BTCUSDT&order_id={number}"
        url = f"{HOST}/contract/private/order?{query}"
        signature, expected = _sign(ts, f"order_id={number}&symbol=BTCUSDT"), ("query-sorted",)
    elif kind in mistakes:
        expected, make = mistakes[kind]
        signature = make()
    else:
        signature = _sign(ts, body)
    code = 30005 if expected else 1000
    answer = json.dumps({"code": code, "message": "OK" if code == 1000 else "Header X-BM-SIGN is wrong",
                         "trace": f"t{number}", "data": {}}, separators=(",", ":"))
    headers = [("x-bm-key", EXAMPLE_KEY), ("x-bm-sign", signature), ("x-bm-timestamp", ts), ("user-agent", "bot/1.0")]
    if method == "POST":
        headers.append(("content-type", "application/json"))
    request = {"method": method, "url": url, "headers": [{"name": k, "value": v} for k, v in headers]}
    if sent_body:
        request["postData"] = {"mimeType": "application/json", "text": sent_body}
    return ({"request": request, "response": {"status": 200 if code == 1000 else 401, "headers": [],
                                              "content": {"mimeType": "application/json", "text": answer}}}, expected)


def run(command: list[str]) -> tuple[float, float, bytes]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(command, capture_output=True, check=False, env=ENV).stdout
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(23)
    made = [entry(n, rng) for n in range(args.entries)]
    with tempfile.TemporaryDirectory() as folder:
        har, script = Path(folder, "session.har"), Path(folder, "one_hmac_each.py")
        har.write_text(json.dumps({"log": {"version": "1.2", "entries": [e for e, _ in made]}}))
        script.write_text(BASELINE)
        python = sys.executable
        commands = {"bare script, one HMAC each": [python, str(script), str(har)],
                    "keyprobe inspect --json": [str(Path(python).with_name("keyprobe")), "inspect", str(har), "--json"]}
        results: dict[str, list[tuple[float, float]]] = {n: [] for n in commands}
        output = b""
        for _ in range(args.rounds):
            for name, command in commands.items():
                wall, cpu, out = run(command)
                results[name].append((wall, cpu))
                output = out if name.startswith("keyprobe") else output
    doc = json.loads(output)
    got = [tuple(r["signature"]["variants"]) for r in doc["requests"]]
    named = sum(1 for g, (_, want) in zip(got, made) if tuple(sorted(g)) == tuple(sorted(want)))
    mistakes = sum(1 for _, want in made if want)
    print(f"a HAR of {args.entries:,} entries ({args.entries - mistakes:,} matching, {mistakes:,} with one mistake), "
          f"median of {args.rounds} alternating rounds:")
    for name in commands:
        wall = statistics.median(w for w, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        print(f"  {name:28s}: wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    cpu = statistics.median(c for _, c in results["keyprobe inspect --json"])
    print(f"keyprobe named {named:,} of {args.entries:,} entries as each is named alone "
          f"(examined: {len(doc['requests']):,}; unexamined: {doc['unexamined']})")
    print(f"goal: <= 3 s CPU with every entry fully searched: {cpu:.2f} s, "
          f"{'met' if cpu <= 3 and named == args.entries else 'NOT met'}")


if __name__ == "__main__":
    main()
