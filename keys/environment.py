"""Key material from the environment: KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO.

A module of its own, below the signer (it needs no httpx): `keyprobe inspect` reads it without loading the
send path. tui.signing_context re-exports it for the commands and the console.
"""

from __future__ import annotations

import os

from keys.signing import Credentials

ENV_KEY, ENV_SECRET, ENV_MEMO = "KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"


def environment_credentials() -> Credentials | None:
    """KEYPROBE_API_KEY / KEYPROBE_SECRET / KEYPROBE_MEMO, when the key is set (the CLI's and the console's)."""
    if not os.environ.get(ENV_KEY):
        return None
    credentials = Credentials.of(os.environ[ENV_KEY], os.environ.get(ENV_SECRET, ""), os.environ.get(ENV_MEMO, ""))
    from keys import redact  # masked in every log line, like a profile's

    redact.register(credentials.api_key, credentials.secret, credentials.memo)
    return credentials
