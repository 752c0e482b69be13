"""The documented error codes of both venues, and what to do about each."""

from tui.catalog.documents import Example, Row, examples, http_row, lookup, rows

__all__ = ["Example", "Row", "examples", "http_row", "lookup", "rows"]
