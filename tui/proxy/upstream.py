"""Where the proxy forwards to, and whether it may: the venue's own hosts over https, or loopback.

A bot's requests carry its key, so the proxy forwards only to a host of the profile's venue (any BitMart
or WOO X Pro host when no profile is given) over https, or to a loopback address (the emulator). A venue's
WebSocket hosts count as its hosts (keys.ws_hosts): BitMart's streams are on hosts of their own, so a bot's
stream goes through a proxy whose upstream is that host (`--upstream https://openapi-ws-v2.bitmart.com`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from keys.hosts import FAMILY_HOSTS, LOOPBACK_HOSTS, binds, host_port
from keys.ws_hosts import WS_FAMILY_HOSTS, ws_signing_hosts
from tui.venues import VENUES

NAMED = ("bitmart", "bitmart-spot", "wooxpro", "emulator")


class UpstreamRefused(ValueError):
    """The upstream is not one the proxy may forward a key to; str() says why."""


@dataclass(frozen=True)
class Upstream:
    scheme: str
    host: str
    port: int

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def netloc(self) -> str:
        default = 443 if self.tls else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.netloc}"

    @property
    def loopback(self) -> bool:
        return self.host in LOOPBACK_HOSTS


def resolve(spec: str, allowed_hosts: frozenset[str] | None = None) -> Upstream:
    """A named venue or a URL, checked against the transport policy. `allowed_hosts`: the profile's hosts."""
    url = VENUES[spec].base_url if spec in NAMED and spec != "emulator" else spec
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise UpstreamRefused(f"{spec!r} is not a URL such as https://api-cloud-v2.bitmart.com.") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UpstreamRefused(f"--upstream takes bitmart, bitmart-spot, wooxpro, emulator or an http(s) URL, not {spec!r}.")
    if parts.path not in ("", "/") or parts.query:
        raise UpstreamRefused(f"--upstream is a scheme, host and port only, not {spec!r}.")
    loopback = host in LOOPBACK_HOSTS
    if not loopback:
        if parts.scheme != "https":
            raise UpstreamRefused(f"{host} is not loopback: the proxy forwards keys to it only over https.")
        if allowed_hosts is not None:  # the profile's hosts, and its venue's streams
            allowed = allowed_hosts | frozenset().union(*(ws_signing_hosts(f, frozenset()) for f, hosts in FAMILY_HOSTS.items()
                                                          if allowed_hosts & hosts))
        else:
            allowed = FAMILY_HOSTS["bitmart"] | FAMILY_HOSTS["wooxpro"] | WS_FAMILY_HOSTS["bitmart"] | WS_FAMILY_HOSTS["wooxpro"]
        if host not in allowed and not any(a.startswith((f"{host}:", f"[{host}]:")) for a in allowed):
            whose = "the profile's venue" if allowed_hosts is not None else "BitMart or WOO X Pro"
            raise UpstreamRefused(f"{host} is not a host of {whose}: the proxy forwards keys only there, or to loopback.")
        if not binds(allowed, host, port):  # the profiles' rule: 443 unless the profile lists host:port
            raise UpstreamRefused(f"{host}:{port} is not port 443: the proxy forwards keys to a venue only on 443, "
                                  f"unless the profile lists {host_port(host, port)} (keys add --allow-host).")
    return Upstream(parts.scheme, host, port or (443 if parts.scheme == "https" else 80))
