"""A loopback pass-through a bot points at: forward each request unchanged, diagnose each exchange."""

from tui.proxy.service import Proxy
from tui.proxy.upstream import UpstreamRefused

__all__ = ["Proxy", "UpstreamRefused"]
