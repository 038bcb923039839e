"""Benchmarks at merged-trust scale and the data generator (not part of `make test`)."""
