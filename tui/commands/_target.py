"""Where a headless command sends, and with which key: options shared by send, skew, probe and replay.

    add_target_options(parser)            # --venue --base-url --emulator-flavour --profile --demo-key --allow-host --timeout
    with resolve_target(args) as target:  # TargetError (a sentence, exit 2) when the options do not fit
        wire.send(draft, target)          # a Target is the SigningContext the command signs with
        target.notes, target.credential_source, target.timeout

Credentials, first found wins: --profile NAME (the key file), KEYPROBE_API_KEY / KEYPROBE_SECRET /
KEYPROBE_MEMO, and on the emulator its demo key. `--venue emulator` without --base-url starts an
in-process emulator for this one call; the Target stops it when the `with` block ends.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui.signing_context import ENV_KEY, SigningContext
from tui.signing_context import environment_credentials
from tui.venues import emulator_venue, get_venue

if TYPE_CHECKING:
    from tui.emulator import Emulator

from tui.commands._target_options import DEMO_STATES, add_network_options, add_target_options, proxy_url, wire_options  # noqa: F401 - the options live there


class TargetError(Exception):
    """The target options do not make sense together; str() is the sentence to print (exit 2)."""


@dataclass(frozen=True, kw_only=True)
class Target(SigningContext):
    """The SigningContext a command signs with, plus what the command says about it and must clean up."""

    credential_source: str = "none"  # "profile NAME (fingerprint)" | "environment (...)" | "emulator demo key ..." | "none"
    timeout: float | None = None
    profile: str | None = None
    emulator: Emulator | None = None  # started for this call only
    notes: list[str] = field(default_factory=list)  # said to the person before the output

    def close(self) -> None:
        if self.emulator is not None:
            self.emulator.stop()  # stopping twice is harmless

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_base_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        hostname, _ = parts.hostname, parts.port
    except ValueError:  # 'http://[::1' (an unclosed IPv6 bracket), a port that is not a number
        raise TargetError(f"--base-url {url!r} is not a valid URL (check the brackets around an IPv6 address and the port).") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise TargetError(f"--base-url must look like https://host or http://127.0.0.1:8640, not {url!r}.")
    if parts.path not in ("", "/") or parts.query:
        raise TargetError(f"--base-url is the scheme, host and port only (the path goes in PATH), not {url!r}.")
    return f"{parts.scheme}://{parts.netloc}"


def resolve_target(args: argparse.Namespace) -> Target:
    """Turn the target options into a Target. Raises TargetError (exit 2); --profile problems exit 2 itself."""
    venue_id: str | None = getattr(args, "venue", None)
    base_url = _check_base_url(args.base_url) if getattr(args, "base_url", None) else None
    flavour = getattr(args, "emulator_flavour", "wooxpro") or "wooxpro"
    demo_state = getattr(args, "demo_key", None)
    extra_hosts = tuple(h.strip().lower() for h in getattr(args, "allow_host", []) or [] if h.strip())
    notes: list[str] = []

    profile = None
    if getattr(args, "profile", None):
        if extra_hosts:
            # A stored key's binding is part of the key: widening it per command would let one flag
            # (or a pasted command line) sign for any host. It is changed where the key is stored.
            raise TargetError(f"--allow-host cannot widen profile {args.profile!r}'s hosts from the command line; "
                              f"store them with the key: keyprobe keys add {args.profile} --allow-host HOST ...")
        from tui.commands._profile import load_profile  # lazily: it may ask for a passphrase

        profile = load_profile(args.profile)
        venue_id = venue_id or profile.venue
        base_url = base_url or profile.base_url
        if venue_id != profile.venue:
            notes.append(f"Profile {profile.name!r} belongs to {profile.venue_name}; it will only sign for its own hosts.")
    venue_id = venue_id or "emulator"
    if demo_state and venue_id != "emulator":
        raise TargetError("--demo-key works only with --venue emulator: demo keys exist only there.")

    emulator = None
    if venue_id == "emulator":
        if base_url:
            venue = emulator_venue(base_url, flavour)
        else:
            from tui.emulator import Emulator

            emulator = Emulator(flavour=flavour).start()
            venue = emulator.venue
            notes.append(f"Started an in-process emulator at {emulator.base_url} for this call "
                         "(run `keyprobe emulator` to keep one running, then pass --base-url).")
    else:
        venue = get_venue(venue_id)
        if base_url:
            venue = venue.at(base_url)

    try:
        if profile is not None:
            signing = SigningContext(venue, profile.credentials, profile.allowed_hosts, proxy=profile.proxy)
            source = f"profile {profile.name} ({profile.fingerprint})"
        elif demo_state is None and (creds := environment_credentials()) is not None:
            signing = SigningContext.for_venue(venue, creds, extra_hosts)
            source = f"environment ({ENV_KEY}={creds.fingerprint})"
        elif venue.is_emulator:
            from keys.demo import demo_key

            key = demo_key(demo_state or "active")
            signing = SigningContext.for_venue(venue, key.credentials, extra_hosts)
            source = f"emulator demo key {key.name} ({key.state})"
        else:
            signing = SigningContext.for_venue(venue, None, extra_hosts)
            source = "none"
    except BaseException:
        if emulator is not None:
            emulator.stop()
        raise
    return Target(signing.venue, signing.credentials, signing.allowed_hosts, proxy=signing.proxy, credential_source=source,
                  timeout=getattr(args, "timeout", None), profile=profile.name if profile is not None else None,
                  emulator=emulator, notes=notes)
