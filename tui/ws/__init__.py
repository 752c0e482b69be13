"""WebSocket login and streams, headless: the dialects as data (dialects), frames and what they mean (frames),
the diagnosis of an answer, a close or a silence (diagnose), the checks of a captured login (login_check),
and the client `keyprobe ws` runs (client, report)."""
