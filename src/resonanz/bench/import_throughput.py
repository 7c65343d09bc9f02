"""Benchmark: import throughput (posts/s) of 1M synthetic posts from JSON Lines.

Each run is a fresh ``resonanz import`` process into an empty workspace with the example
settings (three topics matched on every post). ``posts_per_s`` stores without enrichment
(the import's own speed: read, validate, match topics, store); ``enriched_posts_per_s``
adds the workspace's enrichers, measured on a tenth of the posts.
"""

from __future__ import annotations

import statistics
from typing import Any

from resonanz.bench.child import ChildRun, import_in_child
from resonanz.bench.context import BenchContext
from resonanz.bench.synthetic import write_jsonl

NAME = "import_throughput"


def synthetic_file(ctx: BenchContext, posts: int) -> Any:
    """Return a JSON Lines file of ``posts`` synthetic posts (made once per run)."""
    key = f"jsonl:{posts}"
    if key not in ctx.shared:
        path = ctx.scratch("data") / f"posts-{posts}.jsonl"
        write_jsonl(path, posts)
        ctx.shared[key] = path
    return ctx.shared[key]


def runs(ctx: BenchContext, posts: int, repeat: int, *, enrich: bool) -> list[ChildRun]:
    """Import ``posts`` synthetic posts ``repeat`` times, each into a fresh workspace."""
    data = synthetic_file(ctx, posts)
    tag = "enriched" if enrich else "plain"
    return [
        import_in_child(data, ctx.scratch(f"import-{tag}-{posts}-{i}") / "ws", enrich=enrich)
        for i in range(repeat)
    ]


def run(ctx: BenchContext) -> dict[str, Any]:
    """Measure posts/s (median of ``ctx.repeat`` runs) and remember the peak memory."""
    posts = ctx.size(1_000_000, 5_000)
    plain = runs(ctx, posts, ctx.repeat, enrich=False)
    ctx.shared[f"import_rss_mb:{posts}"] = [r.peak_rss_mb for r in plain]
    enriched_posts = max(posts // 10, 1_000)
    enriched = runs(ctx, enriched_posts, ctx.repeat, enrich=True)
    size_mb = synthetic_file(ctx, posts).stat().st_size / 1e6
    return {
        "posts": posts,
        "file_mb": round(size_mb, 1),
        "repetitions": ctx.repeat,
        "posts_per_s": round(statistics.median(r.posts_per_s for r in plain)),
        "mb_per_s": round(size_mb / statistics.median(r.seconds for r in plain), 1),
        "seconds_median": round(statistics.median(r.seconds for r in plain), 2),
        "enriched_posts": enriched_posts,
        "enriched_posts_per_s": round(statistics.median(r.posts_per_s for r in enriched)),
        "peak_rss_mb": round(max(r.peak_rss_mb for r in plain), 1),
    }
