"""The emulator's demo keys. Public by design: the working key is the example both venues' documents use
(BitMart's authentication page, protocol.md 1.4; WOO X Pro's websocket/login page signs with the same key and
memo, field-notes sections 6 and 10), so the signature vectors and the emulator agree in either dialect; the
others differ only in the state the emulator gives them, so each key-state error can be provoked on purpose."""

from __future__ import annotations

from dataclasses import dataclass

from keys.secret import Secret
from keys.signing import Credentials

STATES = ("active", "frozen", "expired", "ip-restricted", "read-only")

# The documents' example: BitMart's auth page and WOO X Pro's login page (where `test001` is the memo too).
EXAMPLE_KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
EXAMPLE_SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
EXAMPLE_MEMO = "test001"


@dataclass(frozen=True, repr=False)
class DemoKey:
    name: str
    state: str
    credentials: Credentials

    def __repr__(self) -> str:
        return f"DemoKey({self.name!r}, {self.state!r}, {self.credentials!r})"

    def listing(self) -> dict[str, str]:
        """The plaintext listing the emulator prints at start. Demo values only."""
        c = self.credentials
        return {"name": self.name, "api_key": c.api_key.reveal(), "secret": c.secret.reveal(), "memo": c.memo.reveal(), "state": self.state}


def _derived(state: str, n: int) -> DemoKey:
    key = f"{state.replace('-', '')[:6]:0<6}{n:02d}".encode().hex()[:16] + EXAMPLE_KEY[16:]
    return DemoKey(f"demo-{state}", state, Credentials.of(key, EXAMPLE_SECRET[::-1], f"demo-{state}"))


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("demo", "active", Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)),
    *(_derived(state, i) for i, state in enumerate(STATES[1:], start=1)),
)


def demo_key(state: str = "active") -> DemoKey:
    return next(k for k in DEMO_KEYS if k.state == state)


def tampered(credentials: Credentials, what: str) -> Credentials:
    """The same credentials with one character of the secret or the memo changed: the console's
    "break it on purpose" entries use it to provoke 30005 without anyone typing a secret."""
    if what not in ("secret", "memo"):
        raise ValueError(f"can tamper with the secret or the memo, not {what!r}")
    value = (credentials.secret if what == "secret" else credentials.memo).reveal()
    last = value[-1:] or "x"
    changed = value[:-1] + ("0" if last != "0" else "1")
    if what == "secret":
        return Credentials(credentials.api_key, Secret(changed), credentials.memo)
    return Credentials(credentials.api_key, credentials.secret, Secret(changed))
