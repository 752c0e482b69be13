"""A screen that is not restyled on its first resume.

Textual restyles every widget of a screen each time it resumes (in case the theme changed while it
was hidden), the first time too, right after each widget was styled as it mounted: for the main
screen that second pass delayed the first frame, for help the time F1 takes. Later resumes (back
from another screen, perhaps after a theme change) restyle as Textual does.
"""

from __future__ import annotations

from typing import Any


class StyledOnce:
    """Mix in before the Screen class: `class HelpScreen(StyledOnce, ModalScreen[None])`."""

    _resumed_once = False

    def _on_screen_resume(self, event: Any) -> None:
        # Not super(): Textual calls the handler of every class in the MRO, Screen's after this one,
        # which then reads the event as changed here.
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False
