"""Screens of the console. app.SCREENS names each one with a lazy factory, so a screen's module is
imported only when it is first shown."""
