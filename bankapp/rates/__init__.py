"""Rate cards and pay pricing."""
