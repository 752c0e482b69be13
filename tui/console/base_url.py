"""A venue at a base URL the user typed (`keyprobe --base-url URL`, the palette's "Base URL"), without
creating a profile. Textual-free.

The key (KEYPROBE_* variables; on a loopback emulator its demo key) signs for that URL's host
because the user named it, as `--allow-host` does for the CLI; a key never goes over plain http
to anything but loopback: there the console keeps only public requests and says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from keys.hosts import LOOPBACK_HOSTS

if TYPE_CHECKING:
    from keys.signing import Credentials
    from tui.console.target import ConsoleTarget
    from tui.venues import Venue


def default_venue_for(base_url: str) -> str:
    """A loopback URL is most likely `keyprobe emulator`; a BitMart host BitMart; anything else WOO X Pro, which
    leads (--venue says otherwise)."""
    from keys.lifecycle import venue_of_host

    host = urlsplit(base_url).hostname or ""
    return "emulator" if host in LOOPBACK_HOSTS else (venue_of_host(host) or "wooxpro")


def at_base_url(venue: Venue, base_url: str, credentials: Credentials | None) -> tuple[ConsoleTarget | None, str | None]:
    """(the target, a warning) or (None, why the URL cannot be used)."""
    from tui.console.target import ConsoleTarget
    from tui.signing_context import SigningContext

    parts = urlsplit(base_url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return None, f"A base URL looks like https://host or http://127.0.0.1:8640, not {base_url!r}."
    if parts.path not in ("", "/") or parts.query:
        return None, f"A base URL is the scheme, host and port only (the path goes in the request), not {base_url!r}."
    loopback = host in LOOPBACK_HOSTS
    warning = None
    label = "environment"  # KEYPROBE_* credentials
    if credentials is None and venue.is_emulator and loopback:
        from keys.demo import demo_key

        credentials, label = demo_key("active").credentials, "demo"  # what `keyprobe emulator` accepts
    if credentials is not None and parts.scheme == "http" and not loopback:
        warning = f"{host} is plain http: no key is sent there (public requests only). Use https."
        credentials = None
    if credentials is None:
        label = "no key"
    signing = SigningContext.for_venue(venue.at(f"{parts.scheme}://{parts.netloc}"), credentials, (host,))
    return ConsoleTarget(signing.venue, signing.credentials, signing.allowed_hosts, profile=label), warning
