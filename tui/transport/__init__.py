"""The one send path: a Draft built and signed into an httpx request, sent, timed and answered,
its failures named and its body decoded and read as the venues' envelope."""
