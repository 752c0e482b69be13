"""The baseline of benchmarks/send_cpu.py: the same send as `keyprobe send`, written bare with httpx and hmac.

    python benchmarks/bare_send.py BASE_URL PATH BODY

It signs BODY as BitMart documents it (X-BM-SIGN = HMAC-SHA256 of timestamp#memo#body) with the key in
KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO (as `keyprobe send` is given it), POSTs it, reads the JSON answer, prints the status, the headers, the body and the code, and exits 0
on code 1000, 1 on any other code (as `keyprobe send` does).
"""

import hashlib
import hmac
import json
import os
import sys
import time

import httpx


def main(base_url: str, path: str, body: str) -> int:
    key, secret, memo = (os.environ[f"KEYPROBE_{n}"] for n in ("API_KEY", "SECRET", "MEMO"))
    ts = str(time.time_ns() // 1_000_000)
    sign = hmac.new(secret.encode(), f"{ts}#{memo}#{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-BM-KEY": key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign}
    with httpx.Client(trust_env=False, timeout=15) as client:
        response = client.post(base_url + path, content=body.encode(), headers=headers)
    answer = json.loads(response.content)
    print(f"POST {base_url}{path} -> HTTP {response.status_code}")
    for name, value in response.headers.items():
        print(f"{name}: {value}")
    print(json.dumps(answer, indent=2))
    print(f"code {answer.get('code')}: {answer.get('message')}")
    return 0 if answer.get("code") == 1000 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
