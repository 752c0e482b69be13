"""The baseline of benchmarks/replay_throughput.py: what `keyprobe replay FOLDER` does, written bare.

    python benchmarks/bare_replay.py FOLDER LOG CONCURRENCY

It loads every *.request.json in FOLDER (json), signs each afresh (HMAC-SHA256 of timestamp#memo#payload,
the key in KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO), sends them with one httpx.AsyncClient at
most CONCURRENCY at a time, reads each JSON answer, prints one line per request as it completes and a
summary, and appends one JSON line per request to LOG (the request's fields, status, code, message,
time), as keyprobe's history does. Exit 0 when every answer was code 1000, else 1.
"""

import asyncio
import hashlib
import hmac
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx


async def main(folder: str, log: str, concurrency: int) -> int:
    key, secret, memo = (os.environ[f"KEYPROBE_{n}"] for n in ("API_KEY", "SECRET", "MEMO"))
    records = [json.loads(path.read_text()) for path in sorted(Path(folder).glob("*.request.json"))]
    gate = asyncio.Semaphore(concurrency)
    lines: list[str] = []
    codes: list[int | None] = []

    async def one(client: httpx.AsyncClient, r: dict) -> None:
        query = urlencode([tuple(pair) for pair in r["query"]])
        body = r["body"] if r["method"] in ("POST", "PUT") else ""
        headers = {"Content-Type": "application/json", "X-BM-KEY": key}
        if r["auth"] == "signed":
            ts = str(time.time_ns() // 1_000_000)
            payload = body if r["method"] in ("POST", "PUT") else query
            headers |= {"X-BM-TIMESTAMP": ts,
                        "X-BM-SIGN": hmac.new(secret.encode(), f"{ts}#{memo}#{payload}".encode(), hashlib.sha256).hexdigest()}
        url = r["base_url"] + r["path"] + (f"?{query}" if query else "")
        async with gate:
            start = time.perf_counter()
            response = await client.request(r["method"], url, content=body.encode() or None, headers=headers)
            ms = (time.perf_counter() - start) * 1000
        answer = json.loads(response.content)
        code, message = answer.get("code"), answer.get("message")
        codes.append(code)
        print(f"{'ok' if code == 1000 else 'API error'}  {r['path']}  {response.status_code}  {code}  {ms:.1f} ms  {message}")
        lines.append(json.dumps({**r, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "source": "replay",
                                 "status": response.status_code, "code": code, "message": message,
                                 "timings_ms": {"total": round(ms, 1)}}, separators=(",", ":")))

    async with httpx.AsyncClient(trust_env=False) as client:
        await asyncio.gather(*(one(client, r) for r in records))
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    print(f"{len(records)} requests: {sum(c == 1000 for c in codes)} ok")
    return 0 if all(c == 1000 for c in codes) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
