"""Log redaction: registered secret values and key/sign headers never reach a handler."""

from __future__ import annotations

import logging

import httpx
import pytest

from keys import redact, redact_logging
from keys.secret import MASK, Secret

SECRET = "REDACT-TEST-SECRET-51c0ffee"
MEMO = "redact-memo-77"


@pytest.fixture
def registered():
    redact.clear()
    redact.register(Secret(SECRET), Secret(MEMO), Secret("abc"))
    yield
    redact.clear()


@pytest.fixture
def captured(registered):
    """The real root logger, redaction installed, a handler that keeps the final formatted lines."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    redact_logging.install()
    yield lines
    redact_logging.uninstall()
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_mask_values_longest_first_and_short_ones_left_alone(registered):
    redact.register(Secret(SECRET + "-LONGER"))
    assert redact.mask(f"a {SECRET}-LONGER b {SECRET} c {MEMO}") == f"a {MASK} b {MASK} c {MASK}"
    assert redact.mask("abc stays") == "abc stays"  # too short to mask by value


@pytest.mark.parametrize(
    "text,expected",
    [
        ("X-BM-KEY: 80618e45710812162b04892c7ee5ead4a3cc3e56", f"X-BM-KEY: {MASK}"),
        ("{'x-bm-sign': 'deadbeef', 'x-bm-timestamp': '1589267764859'}", f"{{'x-bm-sign': '{MASK}', 'x-bm-timestamp': '1589267764859'}}"),
        ('{"X-API-KEY":"k1","X-API-SIGN":"s1"}', f'{{"X-API-KEY":"{MASK}","X-API-SIGN":"{MASK}"}}'),
        ("[(b'x-api-sign', b'cafe01'), (b'host', b'h')]", f"[(b'x-api-sign', b'{MASK}'), (b'host', b'h')]"),
        ("x-api-key=abc123&x=1", f"x-api-key={MASK}&x=1"),
        ("X-BM-TIMESTAMP: 1589267764859", "X-BM-TIMESTAMP: 1589267764859"),
    ],
)
def test_key_and_sign_headers_are_masked_in_every_shape(text, expected):
    redact.clear()
    assert redact.mask(text) == expected


def test_records_from_child_loggers_are_masked(captured):
    # httpx's Headers repr shows x-bm-key verbatim; this is what a debug line with it would carry
    headers = httpx.Headers({"X-BM-KEY": "keyvalue123", "X-BM-SIGN": "sigvalue456"})
    logging.getLogger("httpx.child").warning("headers %r with secret %s and memo %s", headers, SECRET, MEMO)
    logging.getLogger().warning("root %s", SECRET)
    text = "\n".join(captured)
    assert SECRET not in text and MEMO not in text and "keyvalue123" not in text and "sigvalue456" not in text
    assert text.count(MASK) == 5
    assert "httpx.child headers" in text and "root ********" in text


def test_tracebacks_in_records_are_masked(captured):
    try:
        raise ValueError(f"bad memo {MEMO}")
    except ValueError:
        logging.getLogger("keyprobe.test").exception("failed with %s", SECRET)
    text = "\n".join(captured)
    assert "ValueError: bad memo ********" in text and "failed with ********" in text
    assert SECRET not in text and MEMO not in text


def test_unformattable_arguments_do_not_leak_or_raise(captured):
    logging.getLogger("keyprobe.test").warning("two %s %s", SECRET)
    text = "\n".join(captured)
    assert "unformattable arguments" in text and SECRET not in text


def test_install_is_idempotent(captured):
    redact_logging.install()
    redact_logging.install()
    logging.getLogger("x").warning("once %s", SECRET)
    assert captured == ["x once ********"]
    assert logging.getLogger().filters.count(redact_logging._FILTER) == 1


def test_install_logging_quiets_httpx_unless_debug(monkeypatch):
    loggers = [logging.getLogger(n) for n in ("httpx", "httpcore")]
    saved = [(lg.level, list(lg.handlers), lg.propagate) for lg in loggers]
    try:
        monkeypatch.delenv("KEYPROBE_DEBUG_HTTP", raising=False)
        redact_logging.install_logging()
        assert [lg.level for lg in loggers] == [logging.WARNING, logging.WARNING]
        monkeypatch.setenv("KEYPROBE_DEBUG_HTTP", "1")
        redact_logging.install_logging()
        redact_logging.install_logging()
        assert [lg.level for lg in loggers] == [logging.DEBUG, logging.DEBUG]
        assert all(sum(getattr(h, "_keyprobe", False) for h in lg.handlers) == 1 for lg in loggers)
    finally:
        redact_logging.uninstall()
        for lg, (level, handlers, propagate) in zip(loggers, saved):
            lg.setLevel(level)
            lg.handlers[:] = handlers
            lg.propagate = propagate


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def root_logger(registered):
    """The real root logger at DEBUG; handlers and redaction restored afterwards. The tests set its handlers
    to their own alone: pytest adds capture handlers for each phase, and a filter on one of those rewrites
    the record in place for every handler after it, which would hide the mechanism under test."""
    root = logging.getLogger()
    old_level, old_handlers = root.level, list(root.handlers)
    root.setLevel(logging.DEBUG)
    yield root
    redact_logging.uninstall()
    root.handlers[:] = old_handlers
    root.setLevel(old_level)


def test_a_handler_added_after_install_is_covered_by_the_record_factory_alone(root_logger):
    # The case the factory exists for: install() cannot filter a handler that does not exist yet, and
    # the root logger's own filter never sees records propagated from child loggers.
    root_logger.handlers[:] = []
    redact_logging.install()
    late = Keep()
    root_logger.addHandler(late)
    assert redact_logging._FILTER not in late.filters
    logging.getLogger("httpx.late").warning("secret %s memo %s", SECRET, MEMO)
    assert late.lines == [f"httpx.late secret {MASK} memo {MASK}"]


def test_a_handler_added_before_install_is_covered_by_its_filter_alone(root_logger):
    early = Keep()
    root_logger.handlers[:] = [early]
    redact_logging.install()
    # Take the factory out again: what remains is the filter install() put on the existing handler.
    logging.setLogRecordFactory(redact_logging._base_factory)
    logging.getLogger("httpcore.early").warning("secret %s memo %s", SECRET, MEMO)
    assert early.lines == [f"httpcore.early secret {MASK} memo {MASK}"]
