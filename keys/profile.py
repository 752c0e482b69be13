"""A profile: a named API key (key, secret, memo) bound to a venue, and the key file's error family.

The secrets are Secrets, so a profile shows itself only by fingerprint; its allowed hosts are its
venue's plus the extra hosts it names, which is what the signer's host binding enforces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from keys import credential_check
from keys.secret import Secret
from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS, Credentials, HeaderSet
from keys.hosts import BINDINGS, HostBinding, binds, host_port, shown_proxy, signing_hosts, transport_refusal  # noqa: F401 - shown_proxy re-exported

# The auth header set a key signs with: "auto" is its venue's own (X-BM-* for BitMart, X-API-* for WOO X Pro);
# WOO X Pro's pages show both dialects (field-notes 6), so a WOO X Pro key may store the one its venue accepts.
DIALECTS = {"auto": None, "X-API-": WOOXPRO_HEADERS, "X-BM-": BITMART_HEADERS}
PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HOST_PORT = re.compile(r"(?P<host>\[[0-9a-f:]+\]|[a-z0-9.-]+):(?P<port>\d{1,5})")
HOST_NAME = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[?[0-9a-f:]+\]?")


class VaultError(Exception):
    """Anything that stops the key file or a profile from opening or saving; str() is a sentence for a person."""


class ProfileError(VaultError):
    """A profile that cannot be added, found or removed (bad name, unknown venue, duplicate...)."""


@dataclass(frozen=True, repr=False)
class Profile:
    """A named key bound to a venue. Its secrets are Secrets; it shows itself only by fingerprint."""

    name: str
    venue: str  # a venue id (keys.hosts.BINDINGS, tui.venues.VENUES)
    api_key: Secret
    secret: Secret
    memo: Secret
    extra_hosts: tuple[str, ...] = ()
    base_url: str | None = None
    notes: str = ""
    proxy: str | None = None  # the HTTP proxy this key's requests go through, chosen by the person
    dialect: str = "auto"  # a key of DIALECTS

    @classmethod
    def new(
        cls,
        name: str,
        venue: str,
        api_key: str | Secret,
        secret: str | Secret,
        memo: str | Secret = "",
        *,
        extra_hosts: tuple[str, ...] | list[str] = (),
        base_url: str | None = None,
        notes: str = "",
        checked: bool = True,
        proxy: str | None = None,
        dialect: str = "auto",
    ) -> Profile:
        """A checked profile; ProfileError with a sentence when a field is unusable. `checked=False` is
        for profiles read back from the key file: one stored by an older keyprobe with a stray space
        still opens (the signer refuses to use it, with the same sentence, so the file is not lost)."""
        # Rebound first: str arguments must not sit in this frame's locals if a check below raises.
        api_key, secret, memo = Secret(api_key), Secret(secret), Secret(memo)
        if checked and (problem := credential_check.refusal(api_key, secret, memo)) is not None:
            raise ProfileError(problem)
        if not PROFILE_NAME.fullmatch(name or ""):
            raise ProfileError(
                f"{name!r} is not a usable profile name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."
            )
        if venue not in BINDINGS:
            raise ProfileError(f"Unknown venue {venue!r}; choose one of {', '.join(BINDINGS)}.")
        if dialect not in DIALECTS:
            raise ProfileError(f"Unknown header dialect {dialect!r}; choose one of {', '.join(DIALECTS)}.")
        hosts = tuple(sorted({_check_host(h) for h in extra_hosts}))
        profile = cls(name, venue, api_key, secret, memo, hosts, _check_base_url(base_url), notes or "", check_proxy(proxy), dialect)
        if not profile.api_key:
            raise ProfileError("The API key is empty.")
        if not profile.secret:
            raise ProfileError("The secret is empty.")
        if profile.base_url:
            parts = urlsplit(profile.base_url)
            host, port = parts.hostname or "", parts.port
            if host not in profile.allowed_hosts and not binds(profile.allowed_hosts, host, port):
                raise ProfileError(
                    f"The base URL's host {host} is not one of {profile.venue_name}'s hosts; "
                    f"if you mean it, allow it with --allow-host {host}."
                )
            # The transport policy at the door (keys add/edit, the console form); the signer applies it
            # again to every request, so a profile stored before this check cannot send in clear either.
            refusal = transport_refusal(parts.scheme, host, port, profile.allowed_hosts, profile.venue_name)
            if checked and refusal is not None:
                raise ProfileError(refusal.replace("Refusing to send a key", "This profile would send its key")
                                   .replace("Refusing to sign for", "This profile would sign for"))
        return profile

    @property
    def header_set(self) -> HeaderSet | None:
        """The stored dialect's header set; None for "auto" (the venue's own)."""
        return DIALECTS.get(self.dialect)

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.api_key, self.secret, self.memo)

    @property
    def binding(self) -> HostBinding:
        return BINDINGS[self.venue]

    @property
    def venue_name(self) -> str:
        return self.binding.name

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """The hosts this key may sign for: its venue's, plus the ones the profile allows."""
        return signing_hosts(self.binding.hosts, self.extra_hosts)

    @property
    def fingerprint(self) -> str:
        return self.api_key.fingerprint()

    def listing(self) -> dict[str, object]:
        """What `keys list` shows: no secret, no memo, only a fingerprint and whether each is set."""
        return {
            "name": self.name,
            "venue": self.venue,
            "key": self.fingerprint,
            "secret": "set" if self.secret else "unset",
            "memo": "set" if self.memo else "empty",
            "hosts": sorted(self.allowed_hosts),
            "extra_hosts": list(self.extra_hosts),
            "base_url": self.base_url,
            "notes": self.notes,
            "proxy": shown_proxy(self.proxy),
            "dialect": self.dialect,
        }

    def hygiene(self) -> list[str]:
        """Copy-paste accidents worth a warning when the key is stored (each is a classic 30005)."""
        refused = credential_check.refusal(self.api_key, self.secret, self.memo)  # only in a profile stored unchecked
        return ([refused] if refused else []) + credential_check.warnings(self.api_key, self.secret, self.memo, self.venue)

    def __repr__(self) -> str:
        return f"Profile({self.name!r}, venue={self.venue!r}, key={self.fingerprint}, memo={'set' if self.memo else 'empty'})"


def _check_host(host: str) -> str:
    """A bare host name, or host:port to allow a port other than 443 ([v6]:port for IPv6)."""
    h = (host or "").strip().lower().rstrip(".")
    with_port = HOST_PORT.fullmatch(h)
    if with_port and 1 <= int(with_port["port"]) <= 65535 and HOST_NAME.fullmatch(with_port["host"]):
        name, port = with_port["host"].strip("[]"), int(with_port["port"])
        return name if port == 443 else host_port(name, port)
    if not HOST_NAME.fullmatch(h):
        raise ProfileError(f"{host!r} is not a host name: give the bare name, like api.example.com, or host:port "
                           "for a port other than 443 (no scheme or path).")
    return h.strip("[]")


def _check_base_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        hostname, _ = parts.hostname, parts.port
    except ValueError:  # 'http://[::1' : an unclosed IPv6 bracket, a bad port
        raise ProfileError(f"{url!r} is not a valid URL (check the brackets around an IPv6 address and the port).") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ProfileError(f"{url!r} is not a base URL: it needs http:// or https:// and a host, like https://api-cloud-v2.bitmart.com.")
    return url.strip().rstrip("/")


def check_proxy(url: str | None) -> str | None:
    """A proxy URL (http:// or https://, a host, a valid port), stripped; None for none; ProfileError otherwise."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        ok = False
    if not ok:
        raise ProfileError(f"{shown_proxy(url)!r} is not a proxy URL: give one like http://127.0.0.1:3128.")
    return url.strip()
