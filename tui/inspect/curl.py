"""curl commands -> CapturedRequests: devtools' "Copy as cURL (bash)", Postman's, keyprobe's own export.

The words are split the way bash splits them (quotes, `$'...'` ANSI-C strings, backslashes, `\\` line
continuations), never evaluated: `$VAR` stays as written. Several commands in one input (one per line,
or separated by `;` / `&&`) are each a request. curl's own additions that change the bytes on the wire
(a form Content-Type for -d without one, its User-Agent) are added and said in a note.
"""

from __future__ import annotations

import re

from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import CapturedRequest, InspectError, wire_bytes, wire_char

SEPARATOR = object()  # a command boundary among the words
_ANSI = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "v": "\v",
         "\\": "\\", "'": "'", '"': '"', "?": "?"}
DATA = {"-d": "data", "--data": "data", "--data-ascii": "data", "--data-binary": "binary", "--data-raw": "raw",
        "--data-urlencode": "urlencode", "--json": "json"}
HEADERS = {"-H": None, "--header": None, "-A": "User-Agent", "--user-agent": "User-Agent", "-e": "Referer",
           "--referer": "Referer", "-b": "Cookie", "--cookie": "Cookie"}
TAKES_VALUE = frozenset({"-o", "--output", "-m", "--max-time", "--connect-timeout", "-x", "--proxy", "--retry", "-w",
                         "--write-out", "--cacert", "--cert", "--key", "--resolve", "--interface", "-u", "--user",
                         "-F", "--form", "-r", "--range", "--limit-rate", "-T", "--upload-file", "-c", "--cookie-jar",
                         "--max-redirs", "--retry-delay", "--retry-max-time", "-K", "--config", "--proxy-user",
                         "-E", "--capath", "--ciphers", "--unix-socket", "--variable", "--expand-data"})


_CURL_LINE = re.compile(r"^[ \t]*(?:[$>%][ \t]*)?(?:\S*/)?curl(?:\.exe)?(?:[ \t]|\\?\r?$)", re.M)


def looks_like(text: str) -> bool:
    """A line of the input's start begins with `curl` (after a pasted prompt): the cheap test detection needs."""
    return _CURL_LINE.search(text, 0, 1 << 16) is not None


class Stopped(Exception):
    """The budget ran out while splitting: the words of the whole commands before `at` (a character index)."""

    def __init__(self, words: list[object], at: int) -> None:
        super().__init__(at)
        self.words, self.at = words, at


def words(text: str, budget: Budget = UNLIMITED) -> list[object]:
    """bash word splitting with command separators; raises InspectError on an unclosed quote, Stopped when
    the budget is spent (every 4,096 characters it looks)."""
    out: list[object] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)
    tick = 4096

    def end_word() -> None:
        nonlocal word, in_word
        if in_word:
            out.append("".join(word))
        word, in_word = [], False

    while i < n:
        tick -= 1
        if not tick:
            tick = 4096
            if budget.spent():
                whole = max((k for k, w in enumerate(out) if w is SEPARATOR), default=-1) + 1
                raise Stopped(out[:whole], i)
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\n":
                i += 2
                continue
            if nxt == "\r" and text[i + 2:i + 3] == "\n":
                i += 3
                continue
            word.append(nxt)
            in_word = True
            i += 2
        elif c == "'":
            close = text.find("'", i + 1)
            if close < 0:
                raise InspectError("A single quote is never closed in the curl command.")
            word.append(text[i + 1:close])
            in_word, i = True, close + 1
        elif c == "$" and text[i + 1:i + 2] == "'":
            i = _ansi_c(text, i + 2, word)
            in_word = True
        elif c == '"':
            i = _double(text, i + 1, word)
            in_word = True
        elif c in " \t":
            end_word()
            i += 1
        elif c in "\r\n;" or (c == "&" and text[i + 1:i + 2] == "&") or (c == "|" and not in_word):
            end_word()
            out.append(SEPARATOR)
            i += 2 if c == "&" or text[i:i + 2] == "\r\n" else 1
        elif c == "#" and not in_word:
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
        else:
            word.append(c)
            in_word = True
            i += 1
    end_word()
    return out


def _double(text: str, i: int, word: list[str]) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return i + 1
        if c == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                word.append(text[i + 1])
            i += 2
            continue
        word.append(c)
        i += 1
    raise InspectError("A double quote is never closed in the curl command.")


def _ansi_c(text: str, i: int, word: list[str]) -> int:
    """$'...' as bash reads it (devtools uses it for bodies with quotes, newlines or non-ASCII)."""
    n = len(text)
    pending = bytearray()  # \xHH escapes are bytes: a UTF-8 sequence may span several

    def flush() -> None:
        if pending:
            word.append(pending.decode("utf-8", "surrogateescape"))
            pending.clear()

    while i < n:
        c = text[i]
        if c == "'":
            flush()
            return i + 1
        if c != "\\" or i + 1 >= n:
            flush()
            word.append(c)
            i += 1
            continue
        e = text[i + 1]
        if e == "x":
            digits = _hex_run(text, i + 2, 2)
            if digits:
                pending.append(int(digits, 16))
                i += 2 + len(digits)
                continue
        flush()
        if e in "uU":
            digits = _hex_run(text, i + 2, 4 if e == "u" else 8)
            if digits:
                word.append(wire_char(int(digits, 16)))
                i += 2 + len(digits)
                continue
        if e in "01234567":
            j = i + 1
            while j < min(i + 4, n) and text[j] in "01234567":
                j += 1
            pending.append(int(text[i + 1:j], 8) & 0xFF)
            i = j
            continue
        word.append(_ANSI.get(e, "\\" + e))
        i += 2
    raise InspectError("A $'...' string is never closed in the curl command.")


def _hex_run(text: str, start: int, most: int) -> str:
    end = start
    while end < min(start + most, len(text)) and text[end] in "0123456789abcdefABCDEF":
        end += 1
    return text[start:end]


def commands(text: str) -> list[list[str]]:
    """The curl invocations in `text`, each as its argument words (without `curl`)."""
    return _commands(words(text))


def _commands(split: list[object]) -> list[list[str]]:
    found: list[list[str]] = []
    current: list[str] = []
    for w in split + [SEPARATOR]:
        if w is SEPARATOR:
            if current:
                found.append(current)
            current = []
        else:
            current.append(str(w))
    out = []
    for cmd in found:
        while cmd and cmd[0] in ("$", ">", "%"):  # a pasted shell prompt
            cmd = cmd[1:]
        if cmd and (cmd[0] == "curl" or cmd[0].endswith("/curl") or cmd[0] == "curl.exe"):
            out.append(cmd[1:])
    return out


def parse(text: str) -> list[CapturedRequest]:
    return read(text)[0]


def read(text: str, budget: Budget = UNLIMITED) -> tuple[list[CapturedRequest], str | None]:
    """The requests, and what the budget left unread (None: all of it was read)."""
    try:
        split, unread = words(text, budget), None
    except Stopped as cut:
        split, unread = cut.words, f"the input after character {cut.at:,} of {len(text):,} was not read"
    cmds = _commands(split)
    if not cmds and unread is None:
        raise InspectError("No curl command found: the input should start with `curl`.")
    out = []
    for i, args in enumerate(cmds, 1):
        # every 16 commands a look at the clock; commands cut short by the splitter cost no more than splitting did
        if unread is None and i % 16 == 0 and budget.spent():
            return out, f"curl commands {i:,} to {len(cmds):,} were not read"
        out.append(_request(args, f"curl command {i}"))
    return out, unread


def _request(args: list[str], label: str) -> CapturedRequest:
    method: str | None = None
    url: str | None = None
    headers: list[tuple[str, str]] = []
    data: list[str] = []
    notes: list[str] = []
    get = False
    i = 0
    options = True
    while i < len(args):
        a = args[i]
        value = args[i + 1] if i + 1 < len(args) else None
        if options and a == "--":
            options = False
            i += 1
            continue
        if not options or not a.startswith("-") or a == "-":
            url = url or a
            i += 1
            continue
        name, attached = a, None
        if not a.startswith("--") and len(a) > 2:
            name, attached = a[:2], a[2:]  # -XPOST, -H'...'
        elif a.startswith("--") and "=" in a and a.split("=", 1)[0] in ("--url", "--request", "--header", "--data-raw"):
            name, attached = a.split("=", 1)
        takes = name in ("-X", "--request", "--url") or name in DATA or name in HEADERS or name in TAKES_VALUE
        if takes and attached is None:
            if value is None:
                raise InspectError(f"{label}: the option {name} has no value.")
            arg, i = value, i + 2
        else:
            arg, i = attached, i + 1
        if name in ("-X", "--request"):
            method = arg.upper()
        elif name == "--url":
            url = arg
        elif name in HEADERS:
            fixed = HEADERS[name]
            if fixed is None:
                key, sep, val = arg.partition(":")
                if not sep:
                    notes.append(f"The header {arg!r} has no ':'; curl would not send it.")
                    continue
                headers.append((key.strip(), val[1:] if val.startswith(" ") else val))
            else:
                headers.append((fixed, arg))
        elif name in DATA:
            kind = DATA[name]
            if kind != "raw" and arg.startswith("@"):
                notes.append(f"The body is read from the file {arg[1:]!r}, which keyprobe does not open: paste the body itself.")
            if kind == "urlencode":
                from urllib.parse import quote_plus

                key, sep, val = arg.partition("=")
                arg = f"{key}={quote_plus(val)}" if sep else quote_plus(arg)
            if kind == "json":
                headers += [h for h in (("Content-Type", "application/json"), ("Accept", "application/json"))
                            if not any(k.lower() == h[0].lower() for k, _ in headers)]
            data.append(arg)
        elif name in ("-G", "--get"):
            get = True
        elif name in ("-x", "--proxy"):
            notes.append(f"The command goes through the proxy {arg!r}.")
        elif name in ("-F", "--form"):
            notes.append("The command sends a multipart form (-F); keyprobe reads only -d/--data bodies.")
    if url is None:
        raise InspectError(f"{label}: the curl command has no URL.")
    if "://" not in url:
        url = "http://" + url  # curl's own default
    body = "&".join(data)
    if get and data:
        url = url + ("&" if "?" in url else "?") + body
        body = ""
    method = method or ("POST" if body and not get else "GET")
    if body and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        notes.append("curl adds Content-Type: application/x-www-form-urlencoded to a -d body that has none.")
    if not any(k.lower() == "user-agent" for k, _ in headers):
        headers.append(("User-Agent", "curl"))
    return CapturedRequest(method, url, tuple(headers), wire_bytes(body), "curl", label,
                           notes=tuple(notes))
