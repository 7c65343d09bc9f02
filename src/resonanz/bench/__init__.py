"""Benchmarks run by ``resonanz bench``: each listed module has ``run(ctx) -> dict``.

A benchmark module exposes ``run(ctx: BenchContext) -> dict`` of figures (numbers, or
nested dicts of numbers) and may set ``NAME``; results are written to
``benchmarks/results/<name>.json`` and summarised in ``benchmarks/README.md``.
"""

from __future__ import annotations

from resonanz.bench.context import BenchContext

#: Dotted names of the benchmark modules, in the order they run. Add one line per module.
BENCHMARKS: list[str] = [
    "resonanz.bench.import_throughput",
    "resonanz.bench.import_memory",
    "resonanz.bench.search_latency",
    "resonanz.bench.topic_matching",
    "resonanz.bench.enrich_speed",
    "resonanz.bench.pipeline_speed",
    "resonanz.bench.streaming",
    "resonanz.bench.spark_scaling",
    "resonanz.bench.insights_latency",
]

__all__ = ["BENCHMARKS", "BenchContext"]
