"""The emulator's check of a login frame's args, in the order the REST gateway checks its headers
(tui.emulator.handler.authenticate): key present, known, not frozen, not expired; then signature present,
timestamp present, its format, its window, the signature itself (keys.ws_login's rule); then the IP.

Codes are the WebSocket table's (BitMart's spot/account document, 91001-91023). Where it is silent:
- an IP the key's whitelist lacks: the table has no such code; the emulator answers REST's 30010 row
  ("IP is forbidden...") in the WebSocket frame's shape, and the diagnosis reads it as that row;
- args that are not a list of strings: 90003 "Invalid args param".
"""

from __future__ import annotations

import re

from keys.demo import DemoKey
from keys.ws_login import verify_login
from tui.emulator.state import EmulatorState

_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")
IP_FORBIDDEN = 30010


LOGIN_KEY_REFUSALS = {"missing": 91001, "unknown": 91002, "frozen": 91003, "expired": 91004}


class LoginRefused(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def check_login(state: EmulatorState, dialect_id: str, args: object, client_ip: str, window_ms: int) -> DemoKey:
    """The key this login proves, or LoginRefused(code)."""
    if not isinstance(args, list) or not all(isinstance(a, (str, int)) and not isinstance(a, bool) for a in args):
        raise LoginRefused(90003)
    api_key, timestamp, signature = (str(a) for a in (args + ["", "", ""])[:3])
    key, unusable = state.usable_key(api_key)
    if unusable is not None:
        raise LoginRefused(LOGIN_KEY_REFUSALS[unusable])
    if not signature.strip():
        raise LoginRefused(91010)
    if not timestamp.strip():
        raise LoginRefused(91021)
    if not _THIRTEEN_DIGITS.fullmatch(timestamp):
        raise LoginRefused(91023)
    if abs(int(timestamp) - state.now_ms()) > window_ms:
        raise LoginRefused(91022)
    if not verify_login(key.credentials, dialect_id, timestamp, signature):
        raise LoginRefused(91011)
    allowed = state.allowed_ips(key)
    if allowed is not None and client_ip not in allowed:
        raise LoginRefused(IP_FORBIDDEN)
    return key
