"""The documented error codes of both venues, and what to do about each."""

from tui.catalog.advice import ADVICE, Advice, advice, status_advice
from tui.catalog.documents import Example, Row, candidates, examples, family_rows, http_row, lookup, rows

__all__ = ["ADVICE", "Advice", "Example", "Row", "advice", "candidates", "examples", "family_rows", "http_row", "lookup",
           "rows", "status_advice"]
