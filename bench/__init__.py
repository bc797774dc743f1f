"""Benchmarks that print figures (never timed tests): see bench/README.md."""
