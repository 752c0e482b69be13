"""Two exchanges side by side, section by section, with the lines that differ marked. Textual-free.

The use: a working call and a failing one. What to compare is what was really sent and what came
back: the request line, its headers (key and signature already masked by the wire), the pre-image
that was signed (memo masked), the answer's status and headers, the diagnosis, and the start of
the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BODY_LINES = 40  # the start of each body: enough to see a different envelope, cheap for a 20 MB one
VOLATILE_HEADERS = ("date",)  # differ on every call: shown, never marked


@dataclass(frozen=True)
class Section:
    """Two columns of lines, aligned: row i of `left` faces row i of `right` ("" where one side has
    no line there, e.g. a header only one request carried)."""

    title: str
    left: list[str]
    right: list[str]

    @classmethod
    def aligned(cls, title: str, left: list[str], right: list[str]) -> Section:
        """Lines paired by a diff, not by their index: a header one request has and the other has not
        faces a gap, and the lines after it still face their counterparts."""
        import difflib

        left_rows: list[str] = []
        right_rows: list[str] = []
        matcher = difflib.SequenceMatcher(None, [_key(line) for line in left], [_key(line) for line in right], autojunk=False)
        for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
            span = max(i2 - i1, j2 - j1)
            left_rows += left[i1:i2] + [""] * (span - (i2 - i1))
            right_rows += right[j1:j2] + [""] * (span - (j2 - j1))
        return cls(title, left_rows, right_rows)

    def differs(self, index: int) -> bool:
        left = self.left[index] if index < len(self.left) else None
        right = self.right[index] if index < len(self.right) else None
        if left is not None and right is not None and _volatile(left) and _volatile(right):
            return False
        return left != right

    @property
    def rows(self) -> int:
        return max(len(self.left), len(self.right))

    @property
    def changed(self) -> int:
        return sum(self.differs(i) for i in range(self.rows))


def _volatile(line: str) -> bool:
    return line.split(":", 1)[0].strip().lower() in VOLATILE_HEADERS


def _key(line: str) -> str:
    """What a line is matched on: a volatile header by its name only (its value differs every call)."""
    return line.split(":", 1)[0].strip().lower() if _volatile(line) else line


def _request(exchange: Any) -> list[str]:
    request = exchange.request
    if request is None:
        return ["(nothing was sent)"]
    return [f"{request.method} {request.url}"] + [f"{name}: {value}" for name, value in request.headers]


def _preimage(exchange: Any) -> list[str]:
    request = exchange.request
    evidence = request.evidence if request is not None else None
    if evidence is None or evidence.preimage_masked is None:
        return ["(nothing signed)"]
    return [evidence.preimage_masked]


def _answer(exchange: Any, diagnosis: Any) -> list[str]:
    response = exchange.response
    if response is None:
        failure = exchange.failure
        return [f"no answer: {failure.sentence}" if failure is not None else "no answer"]
    lines = [f"HTTP {response.status} {response.reason}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    return lines


def _diagnosis(diagnosis: Any) -> list[str]:
    if diagnosis is None:
        return ["(not diagnosed)"]
    return [f"{diagnosis.code} {diagnosis.message or ''}".strip(), f"outcome: {diagnosis.outcome.value}"] + [
        f"fix: {fix.text}" for fix in diagnosis.fixes[:3]
    ]


def _body(exchange: Any) -> list[str]:
    response = exchange.response
    if response is None or not response.body:
        return ["(no body)"]
    from tui.console.body_text import lay_out

    text, note = lay_out(response.body[: 256 * 1024], response.header("content-type"), truncated=len(response.body) > 256 * 1024)
    return [note] + [text.line(i) for i in range(min(text.count, BODY_LINES))]


def compare(left: tuple[Any, Any], right: tuple[Any, Any]) -> list[Section]:
    """Sections of (exchange, diagnosis) pairs, left the marked one, right the other."""
    (lx, ld), (rx, rd) = left, right
    return [
        Section.aligned("Request as sent", _request(lx), _request(rx)),
        Section.aligned("Pre-image signed", _preimage(lx), _preimage(rx)),
        Section.aligned("Answer", _answer(lx, ld), _answer(rx, rd)),
        Section.aligned("Diagnosis", _diagnosis(ld), _diagnosis(rd)),
        Section.aligned("Body (start)", _body(lx), _body(rx)),
    ]
