"""Widgets of the main screen. Each is small and gets its look from app.tcss (DEFAULT_CSS only for
a widget's own intrinsic look)."""
