"""Profiles from the key file as console targets. Textual-free: the unlock modal, the keys screen,
the profile selector and the sidebar's replay all turn a vault Profile into a ConsoleTarget here,
so "the venue follows the profile" is decided in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.console.target import ConsoleTarget

if TYPE_CHECKING:
    from keys.vault import Profile, Vault

EMULATOR_CHOICE = "(local emulator)"  # the profile selector's entry for the emulator's demo key


def target_for(profile: Profile) -> ConsoleTarget:
    """The profile's venue (on its own base URL when it has one), its key, and only its hosts."""
    from tui.signing_context import SigningContext

    signing = SigningContext.for_profile(profile)
    return ConsoleTarget(signing.venue, signing.credentials, signing.allowed_hosts, proxy=signing.proxy, profile=profile.name,
                         from_key_file=True, own_emulator=signing.venue.is_emulator and not profile.base_url)


def first_profile(vault: Vault, wanted: str | None) -> tuple[Profile | None, str | None]:
    """The profile to start on: `wanted` (from --profile) or the first one; with a sentence when
    the wanted one is missing or the file holds none."""
    if wanted:
        if wanted in vault.profiles:
            return vault.profiles[wanted], None
        known = ", ".join(vault.profiles) or "none yet"
        note = f"No profile named {wanted!r} in the key file (profiles: {known})."
        fallback = next(iter(vault.profiles.values()), None)
        return fallback, note + (f" Using {fallback.name}." if fallback else " Staying on the local emulator.")
    if not vault.profiles:
        return None, "The key file holds no profiles yet: add one in the keys screen (f2). Staying on the local emulator."
    return next(iter(vault.profiles.values())), None


def real_venue_offer(target: ConsoleTarget, current: ConsoleTarget | None) -> str:
    """What the console says instead of switching to a real venue on unlock (widgets/profile_select.use_unlocked)."""
    from urllib.parse import urlsplit

    host = urlsplit(target.venue.base_url).hostname or target.venue.base_url
    where = "the local emulator" if current is None or current.venue.is_emulator else current.key_label
    return (f"Unlocked. Still on {where}: profile {target.profile} sends to {host}, a real venue. "
            f"To use it, pick {target.profile} in the Profile selector (or f2, then enter on it); "
            f"a signed order to a real venue asks before it goes.")


def listing_rows(vault: Vault | None) -> list[dict[str, Any]]:
    """What the keys screen shows per profile: Profile.listing(), which holds no secret and no memo."""
    return [] if vault is None else [p.listing() for p in vault.profiles.values()]
