"""Why an exchange got no answer, as a name. Apart from tui.exchange so that the diagnosis, which says what
each kind means, loads without the exchange's records (`keyprobe decode` never has an exchange)."""

from __future__ import annotations

from enum import Enum


class FailureKind(str, Enum):
    DNS = "dns"
    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect-timeout"
    READ_TIMEOUT = "read-timeout"
    WRITE_TIMEOUT = "write-timeout"
    POOL_TIMEOUT = "pool-timeout"
    TLS = "tls"
    RESET = "reset"
    PROTOCOL = "protocol"
    SIGNING_REFUSED = "signing-refused"
    DEADLINE = "deadline"  # the whole exchange, connect to last byte, took longer than its deadline
    PROXY = "proxy"  # the proxy the person chose failed or refused, not the venue
    OTHER = "other"
