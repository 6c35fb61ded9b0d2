"""Measurements of the project; `python -m benchmarks` runs them all."""
