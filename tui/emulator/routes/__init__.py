"""What the emulated venue does once a request has passed the gateway, one module per product.

Each action takes a `Call` and returns the `data` of a 1000 answer, or raises `Refused(code, ...)` with
the documented code of its product (and the numbers to fill into the message). `action(name)` resolves
the handler names of tui.endpoints.ENDPOINTS.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from tui.emulator.routes import account, futures, futures_trading, spot, spot_trading, system
from tui.emulator.routes.common import Call, Refused

__all__ = ["Call", "Refused", "action"]

_MODULES = {
    "system": system,
    "futures": (futures, futures_trading),
    "spot": (spot, spot_trading),
    "account": account,
}


@functools.cache
def action(name: str) -> Callable[[Call], object]:
    """The function behind a handler name such as "futures.submit_order"; LookupError if there is none."""
    product, _, function = name.partition(".")
    modules = _MODULES.get(product, ())
    for module in modules if isinstance(modules, tuple) else (modules,):
        found = getattr(module, function, None)
        if callable(found) and not function.startswith("_"):
            return found
    raise LookupError(f"no emulator action named {name!r}")
