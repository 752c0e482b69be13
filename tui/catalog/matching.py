"""Which documented row, and which advice, a body's message picks.

A message matches a documented one when they agree after whitespace is collapsed, case is ignored and
trailing punctuation is dropped; `%s` and `%d` in the document match any text and any whole number, and
what they stood for ("Minimum size is 0.0001" -> 0.0001) fills the advice's {VALUE|...} slot. A code with
several rows (30006, 30007, 60000) takes the row its message matches, or shows them all when none does.
"""

from __future__ import annotations

import re
from collections import namedtuple
from functools import cache, lru_cache

from tui.catalog.advice import Advice, filled, has_slots, template
from tui.catalog.documents import Row, candidates
from tui.catalog.variants import Variant, variants_of

_END = r"[\s.!?;:,]+$"  # patterns compiled (and cached by re) at first use: `decode CODE` matches no message
_PLACEHOLDER = r"%[sd]"
MESSAGE_LIMIT = 500  # longest body message compared (the envelope keeps at most 500 characters)


def normalise(text: str) -> str:
    return re.sub(_END, "", " ".join(text.split()))


@cache
def _pattern(message: str) -> re.Pattern[str]:
    parts = re.split(_PLACEHOLDER, normalise(message))
    kinds = re.findall(_PLACEHOLDER, normalise(message))
    regex = re.escape(parts[0])
    for kind, part in zip(kinds, parts[1:]):
        regex += (r"(.+?)" if kind == "%s" else r"([+-]?\d+)") + re.escape(part)
    return re.compile(regex, re.IGNORECASE | re.DOTALL)


def match(documented: str, body: str) -> tuple[str, ...] | None:
    """What each %s/%d stood for when `body` matches `documented` (() when it has none), else None."""
    if body == documented and "%" not in documented:  # the common case: the venue sent the documented wording
        return ()
    m = _pattern(documented).fullmatch(normalise(body[:MESSAGE_LIMIT]))
    return None if m is None else tuple(g.strip() for g in m.groups())


_READING = "rows row chosen matched value variant advice slotted notes"


class Reading(namedtuple("Reading", _READING, defaults=(False, ()))):
    """A code read against its documented rows and a body's message (a named tuple: see advice_base.Advice).

    rows: every documented row of the code.
    row: the row the message picked, or the only one, or (none matching) the first.
    chosen: None: one row, nothing to choose; True: the message picked it; False: several, none matched.
    matched: the body's message is the documented one (or a known variant of it).
    value: what the first %s/%d stood for in the body's message (str or None).
    variant: a known real wording (Variant) the message matched, or None.
    advice: in the venue's header names, slots still open.
    slotted: the advice has {VALUE|...} or {PERMISSION|...} slots to fill.
    notes: the known wording's thread, or every documented message when none was picked.
    """

    __slots__ = ()

    @property
    def title(self) -> str:
        """The row's message, or for a code whose several rows none matched, the first with how many there are."""
        if self.chosen is False:
            return f"{self.row.message} (one of {len(self.rows)} documented messages)"
        return self.row.message


def _notes(rows: tuple[Row, ...], chosen: bool | None, variant: Variant | None) -> tuple[str, ...]:
    notes = [variant.note] if variant is not None else []
    if chosen is False:
        listed = "; ".join(repr(r.message) for r in rows)
        notes.append(f"{rows[0].code} has {len(rows)} documented messages and none was picked by the body's message, "
                     f"so all apply: {listed}.")
    return tuple(notes)


@lru_cache(maxsize=2048)  # a send diagnoses the same few (code, message) pairs over and over; a Reading is immutable
def read(family: str, code: int, body_message: str | None, origin: str | None = None) -> Reading | None:
    """The documented rows of `code` for `family`, the one `body_message` picks, and the advice that follows.

    `origin` ("keyprobe" when keyprobe signed the request, "elsewhere" for an imported one) picks advice that
    depends on who signed (30005). None when the family's documents lack the code."""
    rows = candidates(family, code)
    if not rows:
        return None
    row, values, variant, variant_values = rows[0], None, None, None
    if body_message is not None:
        row, values = next(((r, v) for r in rows if (v := match(r.message, body_message)) is not None), (row, None))
        variant, variant_values = next(((x, v) for x in variants_of(code) if (v := match(x.message, body_message)) is not None),
                                       (None, None))
    chosen = None if len(rows) == 1 else values is not None
    own = variant.advice if variant is not None and variant.advice is not None else None
    advice = filled(own, family) if own else template(code, family, row.message if chosen else None, origin)
    value = (values or variant_values or (None,))[0]
    return Reading(rows, row, chosen, values is not None or variant is not None, value, variant, advice, has_slots(advice),
                   _notes(rows, chosen, variant))
