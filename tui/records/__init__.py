"""What keyprobe keeps on disk about requests: the send history (and the proxy's writer thread) and
saved requests."""
