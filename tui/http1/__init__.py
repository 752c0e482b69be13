"""HTTP/1.1 for the emulator and the proxy, framed by httptools (llhttp, the parser under uvicorn and Node.js).

llhttp decides where every message ends and refuses ambiguous framing (RFC 9112: Content-Length with
Transfer-Encoding, a second Content-Length, a chunk size that is not plain hex, obs-fold, whitespace before
a colon, a bare LF, a Transfer-Encoding whose last coding is not chunked). Chosen over h11 by measurement
(benchmarks/http_parsers.py): 12x less CPU per message, and h11 accepts obs-fold, bare LF, Content-Length
with Transfer-Encoding and `Content-Length: 2, 2`, which a proxy that forwards the bytes it received must not.

    rules     what a parsed head may be (target forms, Host, versions, codings) and the refusal sentences
    reader    one message at a time, with the exact offset where it ends (the proxy forwards raw bytes)
    fairness  the connection table both servers share: caps per peer and in all, deadlines, eviction
"""
