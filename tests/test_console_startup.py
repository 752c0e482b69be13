"""The console's first frame is usable: the footer's keys, the request line and the status bar are
in the very first frame the main screen draws (benchmarks/startup.py times it against a bare app)."""

from __future__ import annotations

import io

import pytest
from console_support import quiet_console, screen_text, settle
from rich.console import Console

from tui.console.app import KeyprobeApp
from tui.console.widgets.ready_footer import ReadyFooter


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


class FirstFrameApp(KeyprobeApp):
    """Keeps, as text, every frame the main screen hands to the terminal (headless: dropped after)."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[str] = []

    def _display(self, screen, renderable) -> None:
        if renderable is not None and screen.id == "main":
            console = Console(width=self.size.width, height=self.size.height, file=io.StringIO(), force_terminal=True,
                              color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
            console.print(renderable)
            self.frames.append(console.export_text())
        super()._display(screen, renderable)


async def test_the_first_frame_has_the_footer_keys_the_request_line_and_the_status_bar():
    app = FirstFrameApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        first = app.frames[0]
        for part in ("^j Send", "f5 Clock", "f2 Keys", "f3 Probe", "^q Quit", "f1 Help",  # the footer's keys
                     "GET", "/contract/private/assets-detail",  # the request line
                     "keyprobe"):  # the status bar
            assert part in first, part


def composer_lines(frame: str, width: int) -> list[str]:
    """The request box's lines of a frame: the composer is the left column's first box."""
    column = [line[: width // 2] for line in frame.splitlines()]
    top = next(i for i, line in enumerate(column) if "Request" in line)
    bottom = next(i for i in range(top + 1, len(column)) if column[i].lstrip().startswith("╰"))
    return [line.split("│")[1].rstrip() if line.count("│") >= 2 else "" for line in column[top + 1:bottom]]


@pytest.mark.parametrize("size", [(140, 45), (80, 24)])
async def test_the_first_frames_look_alikes_lay_out_as_the_real_rows_do(size):
    """The first frame paints the auth row, the tables' headings and the body's label as one Static
    (composer.py); the real widgets that replace it must not move them. The endpoint hint, known only
    once the target is, may push the rows below it down: the rows' spacing is compared from the query
    heading on, and the request and auth rows as text."""
    app = FirstFrameApp()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        first, real = (composer_lines(frame, size[0]) for frame in (app.frames[0], screen_text(app)))
        assert not app.main_screen.query("#rows-slot, #method-slot, #body-slot")  # the real widgets are in

    def rows(lines):
        at = {name: next(i for i, line in enumerate(lines) if line.lstrip().startswith(name))
              for name in ("GET", "Auth", "Query", "Headers", "Body (")}
        spacing = [at["Headers"] - at["Query"], at["Body ("] - at["Headers"]]
        return lines[at["GET"]], lines[at["Auth"]][:16].rstrip(), spacing, lines[at["Query"]].strip(), lines[at["Headers"]].strip()

    assert rows(first) == rows(real), (first, real)


async def test_the_footer_is_rebuilt_only_when_the_keys_it_shows_change():
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        footer = app.main_screen.query_one(ReadyFooter)
        keys = list(footer.children)
        assert app.focused is not None and app.focused.id == "path"  # focus moved after the first frame
        assert list(footer.children) == keys  # ... and the footer kept its keys: nothing shown changed
        app.main_screen.query_one("#summary").focus()
        await settle(app, pilot)
        assert list(footer.children) == keys

        await pilot.press("alt+5")  # the response body: its search keys are shown
        await settle(app, pilot)
        shown = [key.description for key in footer.children]
        assert "Search" in shown and list(footer.children) != keys
        await pilot.press("alt+1")  # back to the path: the search keys go
        await settle(app, pilot)
        assert "Search" not in [key.description for key in footer.children]


async def test_a_console_started_in_the_light_theme_is_styled_light_from_the_first_frame():
    from tui.console.app import DARK_THEME, LIGHT_THEME, ConsoleOptions

    def colours(app):
        screen = app.main_screen
        return [(node.styles.background, node.styles.color) for node in screen.query("#status-bar, #composer, FooterKey")]

    toggled = KeyprobeApp(ConsoleOptions(theme=DARK_THEME))
    async with toggled.run_test(size=(120, 40)) as pilot:
        await settle(toggled, pilot)
        dark = colours(toggled)
        toggled.action_toggle_theme()
        await settle(toggled, pilot)
        light = colours(toggled)
    assert light != dark
    started = KeyprobeApp(ConsoleOptions(theme=LIGHT_THEME))
    async with started.run_test(size=(120, 40)) as pilot:
        await settle(started, pilot)
        assert colours(started) == light
