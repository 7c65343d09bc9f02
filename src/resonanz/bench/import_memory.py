"""Benchmark: peak memory of an import at 100k and at 1M posts (it must stay flat).

Imports stream in batches, so the peak resident memory of the importing process should
barely grow with the input. Each size is imported by a fresh process; its own peak RSS
is read from the operating system.
"""

from __future__ import annotations

from typing import Any

from resonanz.bench.child import import_in_child
from resonanz.bench.context import BenchContext
from resonanz.bench.import_throughput import synthetic_file

NAME = "import_memory"


def peak_mb(ctx: BenchContext, posts: int) -> float:
    """Return the peak RSS of importing ``posts`` posts (reusing an earlier measurement)."""
    key = f"import_rss_mb:{posts}"
    if key not in ctx.shared:
        data = synthetic_file(ctx, posts)
        ctx.shared[key] = import_in_child(data, ctx.scratch(f"memory-{posts}") / "ws").peak_rss_mb
    return float(ctx.shared[key])


def run(ctx: BenchContext) -> dict[str, Any]:
    """Compare the peak RSS of a small and a ten times larger import."""
    small, large = ctx.size(100_000, 2_000), ctx.size(1_000_000, 20_000)
    small_mb, large_mb = peak_mb(ctx, small), peak_mb(ctx, large)
    return {
        "small_posts": small,
        "large_posts": large,
        "peak_rss_mb_small": round(small_mb, 1),
        "peak_rss_mb_large": round(large_mb, 1),
        "growth_ratio": round(large_mb / small_mb, 2) if small_mb else None,
    }
