"""What fills an advice's slots for one diagnosis: the value a %s/%d of the documented message stood for, and
the API-key permission the called endpoint needs (tui.endpoints.permission), with that permission as evidence.
"""

from __future__ import annotations

from functools import lru_cache

from tui.transport.envelope import clip

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from tui.exchange import Draft, SentRequest

Finding = tuple[str, str]


def called_endpoint(request: SentRequest | None, draft: Draft | None) -> tuple[str, str] | None:
    """The method and path that were called, from the request as sent or else the draft."""
    if request is not None:
        from tui.diagnosis.evidence import split  # here: a pasted body (`decode`) has no request to read

        return request.method.upper(), split(request.url).path or "/"
    if draft is not None:
        return draft.method.upper(), draft.path
    return None


@lru_cache(maxsize=512)
def slots_for(reading_value: str | None, called: tuple[str, str] | None) -> tuple[dict[str, str], tuple[Finding, ...]]:
    """What fills the advice's slots (the %s of the message, the endpoint's permission), and the permission as evidence.

    Cached, so the dict is shared: read it, never change it."""
    slots: dict[str, str] = {}
    found: list[Finding] = []
    if reading_value:
        slots["VALUE"] = clip(reading_value, 40)
    needed = None
    if called:  # only a called endpoint has a permission: a pasted body (`decode`) loads no endpoint table
        from tui import endpoints

        needed = endpoints.permission(*called)
    if needed:
        name = endpoints.PERMISSION_NAMES[needed]
        where = f"{called[0]} {clip(called[1], 60)}"
        slots["PERMISSION"] = f"the {name} permission, which {where} needs"
        found.append(("permission", f"{where} needs the {name} permission (BitMart's API key permission table)"))
    return slots, tuple(found)
