"""The emulator's WebSocket side on its own HTTP port: the server hands each upgrade to streams.py, which
answers the handshake and makes the connection a link (link.py: websockets' sans-I/O protocol over the
transport) around a session. A session (session.py) is transport-free: messages in, messages and a close out,
checking logins with keys' rule (login), feeding public channels from the market (public) and private ones
from the key's account (private)."""
