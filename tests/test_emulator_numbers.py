"""The emulator's number reader (tui/emulator/numbers.py): a price, size, notional, amount or leverage within
the venue's limits reads exactly; anything else is Unreadable or TooLarge, whatever its length or type,
without being converted. The requests that carry such numbers are in test_emulator_hostile_numbers.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tui.emulator import numbers


# -- the reader --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    ("0.01", Decimal("0.01")), ("20000", Decimal(20000)), (1, Decimal(1)), (0.00001, Decimal("0.00001")),
    ("1e5", Decimal(100000)), ("-3", Decimal(-3)), (".5", Decimal("0.5")), ("+7.", Decimal(7)),
    ("1.000000000000000000000000", Decimal(1)),  # trailing zeros are not precision
    ("0e999999999", Decimal(0)), (10**16 - 1, Decimal(10**16 - 1)), ("0.000000000000000001", Decimal("1e-18")),
])
def test_a_number_within_the_limits_reads_exactly(value, expected):
    got = numbers.decimal(value)
    assert got == expected and format(got, "f")  # formatting without an exponent stays short


@pytest.mark.parametrize("value", [
    True, False, None, [], {}, [1], {"a": 1}, "NaN", "nan", "Infinity", "-Infinity", "sNaN", float("nan"), "", " 1", "1 ",
    "1_000", "0x10", "１", "٣", "1e", ".", "-", "1.2.3", "0.0000000000000000001", "1.0000000000000000001", "0." + "0" * 5000 + "1",
])
def test_what_is_not_a_number_or_finer_than_any_step_is_unreadable(value):
    with pytest.raises(numbers.Unreadable):
        numbers.decimal(value)


@pytest.mark.parametrize("value, negative", [
    ("1e999999999", False), ("-1e999999999", True), ("1e16", False), (10**16, False), (-(10**4000), True),
    ("9" * 5000, False), ("-" + "9" * 5000, True), (float("inf"), False), (1e300, False), ("10000000000000000.5", False),
])
def test_a_number_beyond_every_limit_is_too_large_and_says_which_side(value, negative):
    with pytest.raises(numbers.TooLarge) as refused:
        numbers.decimal(value)
    assert refused.value.negative is negative


def test_whole_numbers_are_read_without_converting_thousands_of_digits():
    assert numbers.whole("1700000000", 0, 10**12) == 1_700_000_000 and numbers.whole(-5, -10, 10) == -5
    for value in ("9" * 5000, 10**5000, "11"):
        with pytest.raises(numbers.TooLarge):
            numbers.whole(value, 0, 10)
    for value in ("1.5", 1.0, True, "1e3", "", "１"):
        with pytest.raises(numbers.Unreadable):
            numbers.whole(value, 0, 10)
