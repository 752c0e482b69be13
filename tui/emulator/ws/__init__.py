"""The emulator's WebSocket side, transport-free: a session per link takes text and binary messages in and
gives messages and a close out (session), checking logins with keys' rule (login), feeding public channels
from the market (public) and private ones from the key's account (private). adapter.py serves sessions on a
loopback port with websockets' asyncio server until the emulator's own HTTP server hands them its upgrades."""
