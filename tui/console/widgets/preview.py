"""The live signing preview under the composer: the URL, the headers as they will be sent (key as
a fingerprint) and the pre-image with the memo masked."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from tui.console.signing_preview import SigningPreview

_DIGIT = re.compile(r"\d")
MAX_PAYLOAD_CHARS = 600  # the preview is a glance; the full bytes are in the Request tab after sending


def _clip(text: str) -> str:
    return text if len(text) <= MAX_PAYLOAD_CHARS else f"{text[:MAX_PAYLOAD_CHARS]}… ({len(text):,} characters)"


class PreviewPanel(Static):
    HELP = """\
## Signing preview
What the next send will carry, updated as you type: the URL, the headers (the key shown as a
fingerprint, the signature computed at send) and the **pre-image** `timestamp#memo#payload` that
is signed, with the memo masked. For POST/PUT the payload is the body; for GET/DELETE it is the
query string. The timestamp is taken again at send.
"""

    def show(self, p: SigningPreview) -> None:
        text = Text()
        text.append(f"{p.method} ", style="bold")
        text.append(p.url)
        text.append(f"   ({p.level})\n", style="dim")
        for name, value in p.headers:
            text.append(f"{name}: ", style="bold")
            text.append(f"{value}\n")
        if p.preimage is not None:
            text.append("pre-image ", style="bold")
            text.append(f"(timestamp#memo#{p.payload_kind}, memo masked)\n", style="dim")
            text.append(_clip(p.preimage), style="cyan")
        elif p.level == "keyed":
            text.append("keyed: the key header only; nothing is signed", style="dim")
        elif p.level == "none":
            text.append("public: no key header, nothing signed", style="dim")
        if p.problem:
            text.append(f"\n{p.problem}", style="bold yellow")
        # Refreshed every second for its timestamp: when only digits changed, the text wraps and
        # measures as before, so the screen is not laid out again (a full layout each second cost
        # a keypress tens of milliseconds on a busy machine).
        shape = _DIGIT.sub("0", text.plain)
        self.update(text, layout=shape != self._shape)
        self._shape = shape

    _shape = ""

    def show_waiting(self, sentence: str) -> None:
        self._shape = ""
        self.update(Text(sentence, style="dim"))
