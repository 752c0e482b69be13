"""What the console sends to and signs with. Textual-free, so it is cheap and testable.

A ConsoleTarget IS the SigningContext the console signs with (tui/signing_context.py), plus what the
console shows about it. The emulator target is the newcomer's default; a profile from the key file
(unlocked by a later screen) or KEYPROBE_* environment credentials give the other targets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tui.signing_context import SigningContext

if TYPE_CHECKING:
    from keys.lifecycle import VenueState
    from keys.signing import Credentials
    from tui.emulator import Emulator


DIALECT_NAMES = {"bitmart": "BitMart", "wooxpro": "WOO X Pro"}  # the emulator's label names the dialect it speaks


@dataclass(frozen=True, kw_only=True)
class ConsoleTarget(SigningContext):
    profile: str  # the label shown: a profile name, "demo", "environment"
    emulator: Emulator | None = None  # an emulator the console started itself, else None
    tampered: str | None = None  # "secret" / "memo" while a "break it on purpose" entry is active
    from_key_file: bool = False  # `profile` names a profile of the key file (else a label: "demo", "no key")
    # An emulator profile with no base URL: in the console that is the console's own emulator (the CLI,
    # having none, sends to `keyprobe emulator`'s 127.0.0.1:8640). app.set_target puts it there.
    own_emulator: bool = False

    @property
    def key_file_profile(self) -> str | None:
        """The profile a saved request may name: a key file's only. A label ("no key", "environment")
        saved as a profile made the file unreplayable (`cannot use profile 'no key'`)."""
        return self.profile if self.from_key_file else None

    @property
    def reaches_real_venue(self) -> bool:
        """Whether a send goes to a venue's host (money), not the emulator or another loopback server."""
        from urllib.parse import urlsplit

        from tui.venues import LOOPBACK_HOSTS

        return (urlsplit(self.venue.base_url).hostname or "").lower() not in LOOPBACK_HOSTS

    @property
    def venue_label(self) -> str:
        """The venue's name, the emulator's with the dialect it speaks: `Local emulator (BitMart)`."""
        name = self.venue.name
        if self.venue.is_emulator and "(" not in name:
            return f"{name} ({DIALECT_NAMES.get(self.venue.family, self.venue.family)})"
        return name

    @property
    def lifecycle_state(self) -> VenueState | None:
        """The state of the venue this target speaks for, by the local clock: a BitMart dialect on the
        emulator is told BitMart's too (what it teaches is for a venue that is winding down)."""
        from keys import lifecycle

        return lifecycle.state_now("bitmart" if self.venue.family == "bitmart" else self.venue.lifecycle)

    @property
    def key_label(self) -> str:
        if self.credentials is None:
            return f"{self.profile} (no key)"
        broken = f" (wrong {self.tampered})" if self.tampered else ""
        return f"{self.profile} {self.credentials.fingerprint}{broken}"

    def with_credentials(self, credentials: Credentials, tampered: str | None, profile: str | None = None) -> ConsoleTarget:
        """Other credentials (the emulator's demo keys, broken on purpose): no longer a key file's profile."""
        return replace(self, credentials=credentials, tampered=tampered, profile=profile or self.profile, from_key_file=False)

    def on_emulator(self, emulator: Emulator) -> ConsoleTarget:
        """This target sending to `emulator` (its switches and "break it" entries then apply)."""
        return replace(self, venue=emulator.venue, emulator=emulator)


def emulator_target(emulator: Emulator, key_state: str = "active") -> ConsoleTarget:
    """The in-process emulator with one of its demo keys."""
    signing = SigningContext.for_venue(emulator.venue, emulator.demo_credentials(key_state))
    label = "demo" if key_state == "active" else f"demo-{key_state}"
    return ConsoleTarget(signing.venue, signing.credentials, signing.allowed_hosts, profile=label, emulator=emulator)
