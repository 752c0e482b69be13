"""Whether a send asks first. Textual-free.

A signed write (POST, PUT or DELETE, signed) to a real venue asks before it goes, as `keyprobe replay`
does (tui.replay.needs_confirmation decides what counts): ctrl+j and the sidebar's replay both ask here.
The answer "yes, and stop asking" holds for one target (the profile, its key and the host) for the rest
of the session; locking the key file forgets it. The emulator and any loopback server never ask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tui.console.target import ConsoleTarget
    from tui.exchange import Draft


def target_key(target: ConsoleTarget) -> tuple[str, str, str]:
    """What "this target" means to the gate: the label, the key's fingerprint and the base URL."""
    fingerprint = target.credentials.fingerprint if target.credentials is not None else ""
    return target.profile, fingerprint, target.venue.base_url


def question(draft: Draft, target: ConsoleTarget) -> str:
    """What the confirmation asks, in words: the method, the host, the key."""
    host = urlsplit(draft.url).hostname or draft.url
    return (f"Send {draft.method} {draft.path} to {host}, signed with {target.key_label}? It is a signed write "
            f"to a real venue: it can place, change or cancel orders with real money.")


class SendGate:
    def __init__(self) -> None:
        self._trusted: set[tuple[str, str, str]] = set()

    def asks(self, draft: Draft, target: ConsoleTarget) -> bool:
        """Whether sending `draft` with `target` asks first."""
        from tui.replay import needs_confirmation

        return needs_confirmation(draft) and target_key(target) not in self._trusted

    def trust(self, target: ConsoleTarget) -> None:
        """Stop asking for `target` until the session ends or the key file is locked."""
        self._trusted.add(target_key(target))

    def forget(self) -> None:
        self._trusted.clear()
