"""The Textual console: the only part of keyprobe that imports Textual (DESIGN.md).

app.py holds the App and its lifecycle, screens/ the screens, widgets/ the parts of the main
screen, messages.py what workers post, session.py the (Textual-free) state the workers act on.
"""
