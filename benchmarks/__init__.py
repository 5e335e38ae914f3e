"""Benchmarks of the build: a synthetic archive and our build against plain Sphinx."""
