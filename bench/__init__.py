"""Benchmarks (`make bench`): figures only, never pass/fail."""
