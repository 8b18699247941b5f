"""Benchmarks run by hand or in CI against a scratch database; not part of the served application."""
