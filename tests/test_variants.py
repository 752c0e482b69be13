"""keys.variants' generators on their own: the other clock readings, the float texts of a timestamp and the
pre-image of an empty payload without its last '#' (found uncaught by a mutation run of keys/variants.py)."""

from __future__ import annotations

import itertools

from keys.variants import empty_part_dropped, float_timestamps, other_timestamps

TS = "1764525600123"


def test_other_readings_are_every_millisecond_within_the_window_nearest_first_never_the_one_sent():
    others = list(other_timestamps(TS))
    assert len(others) == 3000 and {ids for ids, _ in others} == {("timestamp-other",)}
    values = [int(t) for _, t in others]
    assert values[:4] == [int(TS) - 1, int(TS) + 1, int(TS) - 2, int(TS) + 2]
    assert values[-2:] == [int(TS) - 1500, int(TS) + 1500] and int(TS) not in values
    # near zero: only positive times (0 is no timestamp), 1 included
    assert [t for _, t in itertools.islice(other_timestamps("3"), 6)] == ["2", "4", "1", "5", "6", "7"]
    assert list(other_timestamps("now")) == []


def test_a_timestamp_s_float_texts_are_every_float_from_it_up_to_the_next_millisecond():
    texts = list(float_timestamps(TS))
    assert len(texts) == 4096 and texts[0] == f"{TS}.0"
    assert all(int(TS) <= float(t) < int(TS) + 1 for t in texts) and len(set(texts)) == 4096
    wide = list(float_timestamps("100000000000000"))  # 15 digits: floats 1/64 apart
    assert len(wide) == 64 and wide[-1] == repr(1e14 + 63 / 64)
    assert list(float_timestamps("1")) == []  # a short timestamp: [1, 2) holds 2^52 floats, so none are tried
    # 13 digits by length, not by value: [0, 1) holds 2**62 floats and [1234, 1235) 2**41, so a leading-zero
    # timestamp held the proxy's checker for ever (attack 4); 2**39 is the smallest value with 8,192 floats
    def first(ts: str) -> list[str]:  # at most one past the bound, so the bug fails instead of hanging
        return list(itertools.islice(float_timestamps(ts), 8193))

    assert first("0" * 13) == [] and first("0000000001234") == []
    assert len(first(f"{2**39:013d}")) == 8192 and first(f"{2**39 - 1:013d}") == []
    assert list(float_timestamps("1" * 16)) == [] and list(float_timestamps("")) == [] and list(float_timestamps("1.5")) == []


def test_an_empty_payload_s_pre_image_without_its_last_hash_masks_the_memo_only_when_there_is_one():
    assert empty_part_dropped(TS, "test001") == (f"{TS}#test001", f"{TS}#****")
    assert empty_part_dropped(TS, "") == (f"{TS}#", f"{TS}#")


def test_a_millisecond_timestamp_signed_as_seconds_truncated_rounded_or_with_its_fraction():
    from keys.variants import seconds_variants

    ids = ("timestamp-seconds",)
    assert seconds_variants(TS) == [(ids, "1764525600"), (ids, "1764525600.123")]  # rounding gives the truncation
    assert seconds_variants("1764525600623") == [(ids, "1764525600"), (ids, "1764525601"), (ids, "1764525600.623")]
    assert seconds_variants("17645256001") == [] and seconds_variants("abcdefghijklm") == []


def test_the_memo_s_variants_each_once_and_shown_without_the_memo():
    from keys.variants import memo_variants

    memo = "Test001"
    variants = memo_variants(memo, "5550001", "KEY1")
    assert len(variants) == len({value for _, value, _ in variants})  # each value tried once, the memo itself never
    assert set(variants) == {
        (("memo-empty",), "", ""),
        (("memo-whitespace",), memo + " ", "<memo> "), (("memo-whitespace",), " " + memo, " <memo>"),
        (("memo-whitespace",), memo + "\n", "<memo>\\n"), (("memo-whitespace",), memo + "\r\n", "<memo>\\r\\n"),
        (("memo-case",), "test001", "<memo lower-cased>"), (("memo-case",), "TEST001", "<memo upper-cased>"),
        (("memo-case",), "tEST001", "<memo case swapped>"),  # capitalize() gives the memo itself: not tried
        (("memo-literal-newline",), memo + "\\n", "<memo>\\\\n"), (("memo-literal-newline",), memo + "\\r\\n", "<memo>\\\\r\\\\n"),
        (("memo-uid",), "5550001", "<uid>"), (("memo-missing",), None, ""), (("memo-is-key",), "KEY1", "<api key>"),
        (("memo-quoted",), f'"{memo}"', '"<memo>"'), (("memo-quoted",), f"'{memo}'", "'<memo>'"),
        (("memo-invisible-character",), "\ufeff" + memo, "<BOM><memo>")}
    assert memo_variants(" Test001 ", None)[:2] == [(("memo-empty",), "", ""), (("memo-whitespace",), "Test001", "<memo trimmed>")]
    assert memo_variants("", None) == [(("memo-missing",), None, "")]
    lower = [value for _, value, _ in memo_variants("test001", None)]  # upper-cased and case-swapped are one value
    assert lower.count("TEST001") == 1 and len(lower) == len(set(lower))
    assert (("memo-case",), "Test001", "<memo capitalised>") in memo_variants("test001", None)
