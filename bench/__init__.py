"""Silta's benchmarks (``make bench``); results go to ``bench/results/<scenario>.json``."""
