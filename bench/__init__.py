"""Benchmarks against peer libraries (run with `make bench`); never part of the test suite."""
