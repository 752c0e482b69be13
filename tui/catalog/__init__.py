"""The documented error codes of both venues, and what to do about each."""

from tui.catalog.advice import Advice, advice, status_advice
from tui.catalog.documents import Example, Row, candidates, examples, family_rows, http_row, lookup, rows

__all__ = ["ADVICE", "Advice", "Example", "Row", "advice", "candidates", "examples", "family_rows", "http_row", "lookup",
           "rows", "status_advice"]


def __getattr__(name: str) -> object:
    """ADVICE, every part's table merged, built when first read (tui.catalog.advice loads a part per code range)."""
    if name == "ADVICE":
        import importlib  # the module: this package's name `advice` is the function

        return importlib.import_module("tui.catalog.advice").ADVICE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
