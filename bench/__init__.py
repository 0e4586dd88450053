"""Benchmarks of gdplayground: ``python -m bench`` (``make bench``).

Each metric is measured against its target and, where one applies, against a
baseline measured in the same run; the results are printed as a table and
written to ``bench-results.json``.  Timings never fail anything: a missed
target is a ✗ in the table, not an error.  ``--quick`` runs every metric tiny
(for the smoke test, which checks the shape of the results, not the times).
"""
