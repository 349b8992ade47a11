"""Benchmarks (not part of CI): `make bench` (pages) and `make bench-search` (search recall)."""
