"""A small BitMart futures bot: its own signer (stdlib only), a clock it keeps in sync, orders."""
