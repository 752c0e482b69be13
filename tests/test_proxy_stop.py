"""Stopping the proxy as a connection is being accepted: the connection's task is cancelled before its first step
(Proxy.stop cancels every task left). Python 3.11's streams wrapper then asked the task for its exception and printed
a CancelledError traceback at exit (`keyprobe proxy` under SIGTERM, about one stop in five under load)."""

from __future__ import annotations

import asyncio
import inspect
import socket

from tui.proxy.relay import Relay
from tui.proxy.upstream import resolve


def test_a_connection_cancelled_before_its_first_step_ends_quietly_and_is_closed():
    async def scenario() -> tuple[list[dict], bool]:
        loop = asyncio.get_running_loop()
        reported: list[dict] = []
        loop.set_exception_handler(lambda _loop, context: reported.append(context))
        relay = Relay(resolve("http://127.0.0.1:9"), lambda relayed: None)
        server = await asyncio.start_server(relay.accept, "127.0.0.1", 0)
        bot = socket.create_connection(server.sockets[0].getsockname()[:2])
        bot.setblocking(False)

        def unstarted_serve() -> asyncio.Task | None:
            return next((t for t in asyncio.all_tasks() if t.get_coro().__qualname__ == "Relay.serve"
                         and inspect.getcoroutinestate(t.get_coro()) == inspect.CORO_CREATED), None)

        # The loop runs what was ready when each round began: the connection's first step is queued behind this
        # coroutine's wake-up, so the task is seen here before it has run a line (a condition, not a delay).
        while (task := unstarted_serve()) is None:
            await asyncio.sleep(0)
        task.cancel()  # what Proxy.stop does to every task left
        await asyncio.gather(task, return_exceptions=True)
        for _ in range(3):  # let the done callbacks (the wrapper's, the relay's) and the transport's close run
            await asyncio.sleep(0)
        server.close()
        await server.wait_closed()
        try:
            closed = bot.recv(1) == b""
        except ConnectionResetError:
            closed = True
        except BlockingIOError:
            closed = False  # still open: nobody closed the connection
        bot.close()
        return reported, closed

    reported, closed = asyncio.run(scenario())
    assert reported == [], [c.get("message") for c in reported]
    assert closed


def test_a_close_that_never_finishes_does_not_stop_the_stop(monkeypatch):
    """Seen once under load: a relay whose close hung made Proxy.stop raise TimeoutError from its wait, a
    traceback at Ctrl-C instead of an ended proxy. The stop gives up waiting and still ends everything."""
    from tui.proxy import service
    from tui.proxy.service import Proxy

    monkeypatch.setattr(service, "STOP_WAIT_S", 0.05)
    proxy = Proxy("http://127.0.0.1:9", port=0, history=False).start()
    loop, threads = proxy._loop, list(proxy._threads)

    async def hangs() -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(proxy._relay, "close", hangs)
    proxy.stop()
    assert not loop.is_running() and not any(t.is_alive() for t in threads)
    with socket.socket() as probe:  # the listening socket went with the loop's server
        assert probe.connect_ex(("127.0.0.1", proxy.port)) != 0
