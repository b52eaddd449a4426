"""`make bench`: benchmarks of the product that write bench/results/report.md and plots.

Every figure is a ratio of two timings taken in the same run (interleaved, repeated, min
and median), so the numbers hold on a shared, noisy machine. Each part runs in its own
process (`python -m bench.<part>`) and writes a JSON file; bench.report turns those into
the Markdown report. `python -m bench` runs everything.
"""
