"""Benchmark: latency of listening-query searches over 1M stored posts.

The posts are synthetic and written straight to the store (the search is measured, not
the import). Each query runs through ``resonanz.query.search.search_posts`` with the
default limit of 100, newest first; figures are the median of several runs per query.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Final

from resonanz.bench.context import BenchContext
from resonanz.bench.synthetic import posts_table
from resonanz.workspace import Workspace

NAME = "search_latency"
QUERIES: Final = (
    "akku",
    "akku AND (kaputt OR broken)",
    '"delivery delay"',
    "#acme",
    "lieferung NOT rival",
    "author:user123",
    "kam* NEAR/3 display",
)
_BATCH: Final = 200_000


def run(ctx: BenchContext) -> dict[str, Any]:
    """Store the posts, then time every query."""
    try:
        from resonanz.query.search import search_posts
    except ImportError as exc:
        return {"skipped": f"resonanz.query.search is not available: {exc}"}
    posts = ctx.size(1_000_000, 5_000)
    ws = Workspace.init(ctx.scratch("search") / "ws")
    with ws.open(write=True) as store:
        for start in range(0, posts, _BATCH):
            with store.transaction():
                store.upsert_posts(posts_table(start, min(_BATCH, posts - start)))
        con = store.con
        figures: dict[str, Any] = {"posts": posts, "repetitions": max(ctx.repeat, 5)}
        per_query: dict[str, float] = {}
        for query in QUERIES:
            search_posts(con, query)  # warm caches once
            times = []
            for _ in range(max(ctx.repeat, 5)):
                started = time.perf_counter()
                search_posts(con, query)
                times.append(time.perf_counter() - started)
            per_query[query] = round(statistics.median(times) * 1000, 1)
    figures["median_ms"] = round(statistics.median(per_query.values()), 1)
    figures["max_ms"] = max(per_query.values())
    figures["per_query_ms"] = per_query
    return figures
