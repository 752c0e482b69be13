"""tui/catalog/rows_cache.py: a document's rows read back from the last parse are the rows parsing gives, and a
cache that is stale, corrupt or cannot be written is parsed over, never trusted or fatal."""

from __future__ import annotations

import os
import shutil

import pytest

from tui.catalog import documents, rows_cache

DOCUMENT = "bitmart"


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The document copied to a scratch folder, parsed from there (its cache beside it), parse's memo cleared."""
    path = tmp_path / documents.DOCUMENTS[DOCUMENT]
    shutil.copy(documents.document_path(DOCUMENT), path)
    monkeypatch.setattr(documents, "document_path", lambda document: str(path))
    documents.parse.cache_clear()
    yield path
    documents.parse.cache_clear()


def parse_again():
    documents.parse.cache_clear()
    return documents.parse(DOCUMENT)


def test_the_rows_read_back_are_the_rows_parsed(copy, monkeypatch):
    first = documents.parse(DOCUMENT)
    assert os.path.exists(rows_cache._cache_path(str(copy))) and len(first[0]) > 50 and first[1]
    monkeypatch.setattr(documents, "_parse", lambda document: pytest.fail("parsed again: the cache was not read"))
    again = parse_again()
    assert again == first and all(type(r) is documents.Row for r in again[0])
    assert all(type(e) is documents.Example for e in again[1])


def test_an_edited_document_is_parsed_again(copy):
    documents.parse(DOCUMENT)
    text = copy.read_text(encoding="utf-8")
    anchor = next(line for line in text.splitlines() if "| 30005 |" in line)  # the message comes first here
    row = anchor.replace("30005", "30099").replace("Header X-BM-SIGN is wrong", "Header X-BM-TEST is strange")
    copy.write_text(text.replace(anchor, anchor + "\n" + row), encoding="utf-8")
    os.utime(copy, ns=(0, 10**9))  # a different size and time: a stale key
    assert any(r.code == 30099 and r.message == "Header X-BM-TEST is strange" for r in parse_again()[0])


@pytest.mark.parametrize("damage", [b"", b"\x00garbage", b"not marshal at all" * 10])
def test_a_damaged_cache_is_parsed_over_and_rewritten(copy, damage):
    first = documents.parse(DOCUMENT)
    cache = rows_cache._cache_path(str(copy))
    with open(cache, "wb") as f:
        f.write(damage)
    assert parse_again() == first
    assert rows_cache.load(str(copy), rows_cache.key(str(copy), documents.__file__)) is not None  # kept again


def test_a_cache_that_cannot_be_written_is_not_kept_and_nothing_fails(copy):
    (copy.parent / "__pycache__").write_text("a file where the folder would go")
    first = documents.parse(DOCUMENT)
    assert first == documents._parse(DOCUMENT) and not list(copy.parent.glob("*.tmp"))
