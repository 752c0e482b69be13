"""What `keyprobe ws` found: the steps (connect, login, ping, private, public), each with its time, the frames
exchanged, the login's evidence, and the verdict with its exit code.

Exit codes as for every command: 0 every step passed, 1 the venue refused something (a login, a subscription),
2 nothing was sent (a key refused at the door), 3 the venue could not be reached or went silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from keys.ws_login import LoginEvidence
from tui.diagnosis.diagnose import Diagnosis
from tui.exchange import FailureKind, TransportFailure
from tui.ws.dialects import Dialect
from tui.ws.frames import Frame

STEPS = ("connect", "login", "ping", "private", "public")
TITLES = {
    "connect": "Open the private link (TCP, TLS, WebSocket handshake)",
    "login": "Log in (the key, the signature, the timestamp)",
    "ping": "Keep-alive ping answered",
    "private": "Private channel subscribed",
    "public": "Public channel subscribed, first data frame",
}


@dataclass(frozen=True)
class Step:
    name: str  # one of STEPS
    ok: bool | None  # None: skipped
    ms: float
    detail: str
    diagnosis: Diagnosis | None = None
    failure: TransportFailure | None = None  # the link could not be opened or kept
    refused: bool = False  # the venue answered with a refusal (exit 1), not a transport failure (exit 3)

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "ms": round(self.ms, 1), "detail": self.detail,
                "failure": self.failure.kind.value if self.failure else None,
                "diagnosis": self.diagnosis.to_dict() if self.diagnosis is not None else None}


@dataclass
class WsReport:
    dialect: Dialect
    private_url: str | None
    public_url: str | None
    key: str  # where the credentials came from, by fingerprint
    topics: tuple[str, ...]
    steps: list[Step] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    frames_dropped: int = 0
    login: LoginEvidence | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def first_failure(self) -> Step | None:
        return next((s for s in self.steps if s.ok is False), None)

    @property
    def passed(self) -> bool:
        return self.first_failure is None and any(s.ok for s in self.steps)

    @property
    def exit_code(self) -> int:
        failed = self.first_failure
        if failed is None:
            return 0 if self.passed else 3
        if failed.failure is not None:
            return 2 if failed.failure.kind is FailureKind.SIGNING_REFUSED else 3
        return 1 if failed.refused else 3

    @property
    def verdict(self) -> str:
        failed = self.first_failure
        if failed is None:
            skipped = [s.name for s in self.steps if s.ok is None]
            tail = f" (skipped: {', '.join(skipped)})" if skipped else ""
            return f"Every step passed on {self.dialect.name}{tail}."
        why = failed.diagnosis.headline if failed.diagnosis is not None else failed.detail
        return f"The {failed.name} step fails. {why}"

    @property
    def fixes(self) -> list[str]:
        failed = self.first_failure
        if failed is None or failed.diagnosis is None:
            return []
        return list(dict.fromkeys(f.text for f in failed.diagnosis.fixes))

    def to_dict(self) -> dict[str, Any]:
        failed = self.first_failure
        return {
            "dialect": self.dialect.id,
            "private_url": self.private_url,
            "public_url": self.public_url,
            "key": self.key,
            "topics": list(self.topics),
            "steps": [s.to_dict() for s in self.steps],
            "first_failure": failed.name if failed else None,
            "login": self.login.to_dict() if self.login is not None else None,
            "frames": [f.to_dict() for f in self.frames],
            "frames_dropped": self.frames_dropped,
            "notes": list(self.notes),
            "verdict": {"ok": self.passed, "sentence": self.verdict, "fixes": self.fixes, "exit_code": self.exit_code},
        }
