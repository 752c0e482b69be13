"""What an answer means: the documented row, the status check, the evidence of the request sent,
the advice's slots and the venue's state at the time (headless; never imports Textual)."""
