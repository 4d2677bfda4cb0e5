"""Benchmarks: one command each, printing their figures."""
