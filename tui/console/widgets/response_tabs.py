"""The body / headers / request / clock tabs under the diagnosis. Mounted just after the first
frame (MainScreen._mount_deferred), so it says when it is there: nothing that fills it may run
before."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane

from tui.console.widgets.body_view import BodyView
from tui.console.widgets.clock_panel import ClockPanel


class ResponseTabs(TabbedContent):
    class Ready(Message):
        pass

    @classmethod
    def build(cls) -> ResponseTabs:
        tabs = cls(id="response-tabs")
        for pane in (
            TabPane("Body", BodyView(id="body-view"), id="tab-body"),
            TabPane("Headers", VerticalScroll(Static("", id="headers-text")), id="tab-headers"),
            TabPane("Request", VerticalScroll(Static("", id="request-text")), id="tab-request"),
            TabPane("Clock", ClockPanel(id="clock-panel"), id="tab-clock"),
        ):
            tabs.compose_add_child(pane)  # what `with TabbedContent(): yield TabPane(...)` does
        return tabs

    def on_mount(self) -> None:
        self.post_message(self.Ready())
