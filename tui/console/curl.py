"""Copy as curl: the signed command, or a script that signs with $KEYPROBE_* variables. Both come from
tui.export (signed by the wire's own signer); this only picks one and explains why nothing can be
made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keys.signing import Clock, HeaderSet
    from tui.console.target import ConsoleTarget
    from tui.exchange import Draft


def render_curl(target: ConsoleTarget | None, draft: Draft | None, clock: Clock, script: bool) -> tuple[str, str, str | None]:
    """(text, title, None) or ("", "", a sentence saying why there is nothing to copy)."""
    if target is None or draft is None:
        return "", "", "Nothing to copy yet: the console has no venue (is the emulator still starting?)."
    problem = draft.body_error()
    if problem:
        return "", "", problem
    from tui.export import curl_command, curl_script
    from keys.signing import SigningRefused

    if script:
        title = "curl script: signs with $KEYPROBE_API_KEY, $KEYPROBE_SECRET, $KEYPROBE_MEMO"
        offset = round(clock.offset_ms) if getattr(clock, "apply", False) else 0  # f8: the corrected clock
        if offset:
            title += f", timestamps corrected by {offset:+d} ms"
        return curl_script(draft, target.venue, offset), title, None
    try:
        text = curl_command(draft, target.with_clock(clock))
    except SigningRefused as exc:
        return "", "", str(exc)
    title = "curl (signed now: the timestamp expires, copy it again to re-sign)"
    return text, title, None


def masked_for_display(text: str, header_set: HeaderSet) -> str:
    """The command with the key header shown as a fingerprint: the clipboard gets the real command,
    the screen (and any screenshot of it) does not."""
    import shlex

    from keys.signing import masked_header_value

    try:
        words = shlex.split(text)
    except ValueError:
        return text
    shown = []
    for word in words:
        name, sep, value = word.partition(": ")
        if sep and name.lower() in (header_set.key.lower(), header_set.sign.lower()):
            word = f"{name}: {masked_header_value(name, value, header_set)}"
        shown.append(word)
    return shlex.join(shown)
