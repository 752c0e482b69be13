"""What the WebSocket view's session posts (from the network thread); its handlers touch the widgets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


# Each carries the number of the session that posted it: a session stopped for a new one may still post a last
# message, which the view then ignores.


@dataclass
class WsStepDone(Message):
    run: int
    step: Any  # tui.ws.report.Step


@dataclass
class WsReady(Message):
    """The steps are done (the links that passed stay open, streaming)."""

    run: int
    report: Any  # tui.ws.report.WsReport


@dataclass
class WsFramesArrived(Message):
    """Frames wait in the session's deque: the handler takes them (one notice at a time, whatever the rate)."""

    run: int


@dataclass
class WsEnded(Message):
    """The session is over: stopped, or the venue closed the links."""

    run: int
    report: Any


@dataclass
class WsFailed(Message):
    run: int
    sentence: str
