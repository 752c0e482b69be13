"""The venue's clock against ours: measured through the wire, estimated with an error bound, its
drift fitted over time, kept between runs, and watched (`skew --watch`)."""
