"""Benchmarks of the suite against baselines measured in the same run (`python -m bench`).

Each module measures one figure and returns plain dicts of measured numbers; `__main__`
runs them in order and writes `bench/results.json` and `bench/RESULTS.md`.
"""
