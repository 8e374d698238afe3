"""Benchmark suite: one module per area, each exposing ``run(database_url, cache_dir) -> list[dict]``.

`python -m benchmarks.run --database-url URL` runs them all and writes docs/performance.md;
see benchmarks/README.md for the protocol.
"""
