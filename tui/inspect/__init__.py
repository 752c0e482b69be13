"""Reading a request someone else sent (curl, raw HTTP, ccxt log, HAR, history, saved files, a WebSocket login)."""

# Here, not in detect.py: `keyprobe --help` lists them without importing the parsers.
FORMATS = ("auto", "curl", "http", "ccxt", "sdk", "har", "history", "saved", "ws")
