"""keyprobe: sign, send and diagnose BitMart and WOO X Pro API requests (the headless core and the console)."""

__version__ = "0.1.0"
