"""Benchmark: the topic matcher's throughput, 500 topics over batches of 10,000 posts.

The stream and the topics are synthetic (see :mod:`resonanz.query.benchmark`); figures are
the best of several batches, in wall-clock and in CPU seconds of this process.
"""

from __future__ import annotations

from resonanz.bench.context import BenchContext
from resonanz.query.benchmark import measure

NAME = "topic_matching"


def run(ctx: BenchContext) -> dict[str, object]:
    """Measure with 500 topics over batches of 10,000 posts (1,000 in a quick run)."""
    return measure(topics=500, posts=ctx.size(10_000, 1_000), rounds=max(ctx.repeat, 3))
