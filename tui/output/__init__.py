"""The headless commands' output: an Exchange and its Diagnosis as styled lines, plain when piped,
through a console that never writes a control character it did not generate; server text made
safe for a terminal."""
