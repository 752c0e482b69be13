"""Where each WebSocket frame ends in a stream of bytes, found by websockets' parser, for the proxy.

The proxy forwards the bytes it received, whole frame by whole frame: `Splitter.feed(data)` returns each frame
completed by `data` as (its exact bytes on the wire, the frame websockets parsed from them). The parsed frame is
only read (the login check); the bytes forwarded are the bytes received, masks and all. One splitter per
direction: a client's frames are masked, a server's are not. A frame over `max_size` is refused from its
header, before its payload is read; bytes that are not frames are refused at the first one (Broken, with the
close code to say it with). When the handshake negotiated permessage-deflate, websockets' own extension undoes
it for the reading (bounded by max_size too); the bytes still go out compressed, as they came.
"""

from __future__ import annotations

from websockets.exceptions import PayloadTooBig, ProtocolError
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from websockets.headers import parse_extension
from websockets.streams import StreamReader

MESSAGE_TOO_BIG, PROTOCOL_ERROR = 1009, 1002


class Broken(Exception):
    """The stream is not (or no longer) frames the proxy forwards: `code` and the sentence to close with."""

    def __init__(self, code: int, sentence: str) -> None:
        super().__init__(sentence)
        self.code = code


class Splitter:
    def __init__(self, *, masked: bool, max_size: int, deflate: PerMessageDeflate | None = None) -> None:
        self.masked, self.max_size = masked, max_size
        self.extensions = [deflate] if deflate is not None else None
        self.reader = StreamReader()
        self.pending = bytearray()  # the bytes of the frame being read (the reader keeps the same tail)
        self.parser = None

    @property
    def buffered(self) -> int:
        return len(self.pending)

    def feed(self, data: bytes) -> list[tuple[bytes, Frame]]:
        self.reader.feed_data(data)
        self.pending += data
        done = []
        while True:
            if self.parser is None:
                self.parser = Frame.parse(self.reader.read_exact, mask=self.masked, max_size=self.max_size,
                                          extensions=self.extensions)
            try:
                next(self.parser)
                return done  # the frame is not whole yet
            except StopIteration as whole:
                used = len(self.pending) - len(self.reader.buffer)
                done.append((bytes(self.pending[:used]), whole.value))
                del self.pending[:used]
                self.parser = None
            except PayloadTooBig as exc:
                raise Broken(MESSAGE_TOO_BIG, f"a frame over the proxy's cap of {self.max_size:,} bytes ({exc})") from None
            except ProtocolError as exc:
                raise Broken(PROTOCOL_ERROR, f"bytes that are not WebSocket frames ({exc})") from None
            except Exception as exc:  # noqa: BLE001 - a decompressor's error on hostile bytes, say
                raise Broken(PROTOCOL_ERROR, f"bytes that are not WebSocket frames ({type(exc).__name__})") from None


def close_frame(code: int, reason: str, *, masked: bool) -> bytes:
    """A close frame written by the proxy itself: masked toward the upstream (the proxy speaks as a client there)."""
    data = reason.encode("utf-8")
    if len(data) > 123:
        reason = data[:120].decode("utf-8", "ignore") + "..."
    return Frame(Opcode.CLOSE, Close(code, reason).serialize()).serialize(mask=masked, extensions=[])


def deflaters(extensions_header: str | None) -> tuple[PerMessageDeflate | None, PerMessageDeflate | None]:
    """(for the client's frames, for the upstream's frames): permessage-deflate as the 101 accepted it, or Nones.
    An extension the proxy does not know leaves its frames unreadable (they are refused at the first RSV bit)."""
    if not extensions_header:
        return None, None
    try:
        accepted = parse_extension(extensions_header)
    except Exception:  # noqa: BLE001 - an upstream's odd header: no extension is read
        return None, None
    for name, params in accepted:
        if name != "permessage-deflate":
            continue
        given = dict(params)
        server_nct, client_nct = "server_no_context_takeover" in given, "client_no_context_takeover" in given
        try:
            server_bits, client_bits = int(given.get("server_max_window_bits") or 15), int(given.get("client_max_window_bits") or 15)
        except ValueError:
            return None, None
        if not (8 <= server_bits <= 15 and 8 <= client_bits <= 15):
            return None, None
        return (PerMessageDeflate(client_nct, server_nct, client_bits, server_bits),
                PerMessageDeflate(server_nct, client_nct, server_bits, client_bits))
    return None, None
