"""The bot's API keys, read from its environment (a module name many bots use)."""

import os


def api_key() -> str:
    return os.environ.get("BOT_API_KEY", "")
