"""alt+1 … alt+7 as the keys they are on the terminals people use.

Every xterm-style terminal (xterm, GNOME Terminal, Konsole, tmux, screen, iTerm2 and Terminal.app with Option
as Meta, Windows Terminal) sends alt+1 as ESC followed by "1". Textual 8 reads that pair as the character
macOS prints for Option+1, "¡" (its table keeps WezTerm-on-macOS's sequences, ESC 1 … ESC 0, as the
characters ¡ ™ £ ¢ ∞ § ¶ • ª º). So the main screen's jumps never fired anywhere: alt+1 typed "¡" into the
path, alt+2 "™" into the signed body. install() drops the ten digit entries, and the parser then reads ESC
and a digit as alt+digit, as it does for ESC and a letter. A WezTerm on macOS then jumps too.
"""

from __future__ import annotations

_installed = False
ALT_DIGITS = tuple(f"\x1b{digit}" for digit in "0123456789")


def install() -> None:
    """Read ESC + digit as alt+digit, once per process (every KeyprobeApp installs it)."""
    global _installed
    if _installed:
        return
    _installed = True
    from textual import _ansi_sequences

    table = _ansi_sequences.ANSI_SEQUENCES_KEYS
    for sequence in ALT_DIGITS:
        if isinstance(table.get(sequence), str):  # a character mapping, not a key Textual names
            del table[sequence]  # type: ignore[attr-defined]  # a dict, typed as a Mapping
