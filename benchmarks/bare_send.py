"""The baseline of benchmarks/send_cpu.py: the same send as `keyprobe send`, written bare with httpx and hmac.

    python benchmarks/bare_send.py BASE_URL PATH BODY [--async]

It signs BODY as BitMart documents it (X-BM-SIGN = HMAC-SHA256 of timestamp#memo#body) with the key in
KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO (as `keyprobe send` is given it), POSTs it, reads the JSON
answer, prints the request as sent (key and signature cut to a prefix), the status, the headers, the body and
the code, appends one JSON line about the send to KEYPROBE_HOME/bare-history.jsonl (under a lock, as keyprobe's
history is), and exits 0 on code 1000, 1 on any other code (as `keyprobe send` does).

The same work as `keyprobe send` minus what keyprobe adds on purpose: no diagnosis, no masking by value,
no caps. With httpx's sync Client, as a person writes a one-off script: the goal's baseline. `--async` does
the same through httpx.AsyncClient under asyncio.run, the path keyprobe's one send path takes (asyncio, and
anyio's asyncio backend under httpcore's async locks): printed beside it, to show what that path costs alone.
"""

import fcntl
import hashlib
import hmac
import json
import os
import sys
import time

import httpx


def signed_headers(body: str) -> dict[str, str]:
    key, secret, memo = (os.environ[f"KEYPROBE_{n}"] for n in ("API_KEY", "SECRET", "MEMO"))
    ts = str(time.time_ns() // 1_000_000)
    sign = hmac.new(secret.encode(), f"{ts}#{memo}#{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-BM-KEY": key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign}


def report(response: httpx.Response, body: str, started: float) -> int:
    request = response.request
    print(f"-> {request.method} {request.url}")
    for name, value in request.headers.items():
        print(f"  {name}: {value[:4] + '...' if name.lower() in ('x-bm-key', 'x-bm-sign') else value}")
    print(f"  {body}")
    answer = json.loads(response.content)
    print(f"<- HTTP {response.status_code} in {(time.perf_counter() - started) * 1000:.1f} ms")
    for name, value in response.headers.items():
        print(f"  {name}: {value}")
    print(json.dumps(answer, indent=2))
    print(f"code {answer.get('code')}: {answer.get('message')}")
    entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "method": request.method,
             "path": request.url.path, "body": body, "status": response.status_code, "code": answer.get("code"),
             "message": answer.get("message"), "total_ms": round((time.perf_counter() - started) * 1000, 1)}
    with open(os.path.join(os.environ["KEYPROBE_HOME"], "bare-history.jsonl"), "a", encoding="utf-8") as history:
        fcntl.flock(history.fileno(), fcntl.LOCK_EX)
        history.write(json.dumps(entry, separators=(",", ":")) + "\n")
    return 0 if answer.get("code") == 1000 else 1


def main(base_url: str, path: str, body: str) -> int:
    started = time.perf_counter()
    with httpx.Client(trust_env=False, timeout=15) as client:
        response = client.post(base_url + path, content=body.encode(), headers=signed_headers(body))
    return report(response, body, started)


def main_async(base_url: str, path: str, body: str) -> int:
    import asyncio

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(trust_env=False, timeout=15) as client:
            return await client.post(base_url + path, content=body.encode(), headers=signed_headers(body))

    started = time.perf_counter()
    return report(asyncio.run(send()), body, started)


if __name__ == "__main__":
    sys.exit((main_async if "--async" in sys.argv[4:] else main)(*sys.argv[1:4]))
