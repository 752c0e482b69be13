"""/system/* and the emulator's own SIGNED GET."""

from __future__ import annotations

from tui.emulator.routes.common import Call


def time(call: Call) -> object:
    return {"server_time": call.now}


def service(call: Call) -> object:
    # DOC-SVC: status 0 waiting, 1 in progress, 2 completed. A maintenance switch shows as in progress.
    status = 1 if call.state.controls.maintenance else 2
    hour = 3_600_000
    return {
        "service": [
            {"title": f"{kind} maintenance", "service_type": kind, "status": status, "start_time": call.now - hour, "end_time": call.now + hour}
            for kind in ("spot", "contract")
        ]
    }


def signed_echo(call: Call) -> object:
    """The gateway verified X-BM-SIGN over this query string (never a body): say what was signed."""
    return {"signed_query": call.query, "params": call.args}
