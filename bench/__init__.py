"""Benchmarks (not tests): `python -m bench.run`, see docs/BENCHMARKS.md."""
