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


# curl's options that take the next word as their argument: they share its line in the display
TAKES_ARGUMENT = frozenset({"-X", "-H", "--data-binary", "--data-raw"})


def masked_for_display(text: str, header_set: HeaderSet) -> str:
    """What the copy window shows: the text with its curl command laid out one option per line with
    ` \\` continuations (still a command a shell runs when copied from the screen), and the key and
    signature headers shown as a fingerprint and "…" where they hold real values. The clipboard gets
    the real command; the screen (and any screenshot of it) does not. A script's other lines (its
    comments, the openssl line) are shown as they are."""
    return "\n".join(_laid_out(line, header_set) if line.startswith("curl ") else line for line in text.split("\n"))


def _laid_out(line: str, header_set: HeaderSet) -> str:
    import shlex

    from keys.signing import masked_header_value

    try:
        words = shlex.split(line)
    except ValueError:
        return line  # not one the export wrote: shown as it is
    secret_headers = (header_set.key.lower(), header_set.sign.lower())
    quoted = []
    for word in words:
        name, sep, value = word.partition(": ")
        if sep and name.lower() in secret_headers and "$" not in value:  # "$KEYPROBE_API_KEY": a script's, no secret
            word = f"{name}: {masked_header_value(name, value, header_set)}"
        # the script's "X-API-KEY: $KEYPROBE_API_KEY" stays in double quotes, or the shell would not expand it
        quoted.append(f'"{word}"' if "$" in word and f'"{word}"' in line else shlex.quote(word))
    lines: list[list[str]] = [[quoted[0]]]
    index = 1
    while index < len(words) and words[index] != "-H":  # `curl --http1.1 -X POST` stays on the first line
        lines[0].append(quoted[index])
        index += 1
    while index < len(words):
        takes = words[index] in TAKES_ARGUMENT and index + 1 < len(words)
        lines.append(quoted[index:index + 2] if takes else [quoted[index]])
        index += 2 if takes else 1
    return " \\\n  ".join(" ".join(parts) for parts in lines)
