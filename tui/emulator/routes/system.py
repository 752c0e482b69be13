"""/system/* and the emulator's own SIGNED GET."""

from __future__ import annotations

from tui.emulator.routes.common import Call


def time(call: Call) -> object:
    return {"server_time": call.now}


def service(call: Call) -> object:
    """DOC-SVC: status 0 waiting, 1 in progress, 2 completed. A maintenance switch shows as in progress, started an
    hour ago and due to end in an hour; otherwise the last maintenance is completed, so it ended in the past."""
    hour = 3_600_000
    if call.state.controls.maintenance:
        status, start, end = 1, call.now - hour, call.now + hour
    else:
        status, start, end = 2, call.now - 3 * hour, call.now - 2 * hour
    return {
        "service": [
            {"title": f"{kind} maintenance", "service_type": kind, "status": status, "start_time": start, "end_time": end}
            for kind in ("spot", "contract")
        ]
    }


def signed_echo(call: Call) -> object:
    """The gateway verified X-BM-SIGN over this query string (never a body): say what was signed."""
    return {"signed_query": call.query, "params": call.args}
