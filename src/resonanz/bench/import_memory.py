"""Benchmark: peak memory of an import at 100k and at 1M posts (it must stay flat).

Imports stream in batches, so the peak resident memory of the importing process should
barely grow with the input. Each size is imported by fresh processes; each one's own peak
RSS is read from the operating system, and the median of :data:`RUNS` runs is reported:
single runs scatter by about ±15 MB, as much as the growth being measured.
"""

from __future__ import annotations

import statistics
from typing import Any, Final

from resonanz.bench.child import import_in_child
from resonanz.bench.context import BenchContext
from resonanz.bench.import_throughput import synthetic_file

NAME = "import_memory"
#: Imports per size (one in a quick run); the peak is robust to load, the run time is not.
RUNS: Final = 3


def peaks_mb(ctx: BenchContext, posts: int) -> list[float]:
    """Return the peak RSS of ``RUNS`` imports of ``posts`` posts (reusing earlier runs)."""
    key = f"import_rss_mb:{posts}"
    peaks: list[float] = list(ctx.shared.get(key, []))
    data = synthetic_file(ctx, posts)
    while len(peaks) < (1 if ctx.quick else RUNS):
        folder = ctx.scratch(f"memory-{posts}-{len(peaks)}") / "ws"
        peaks.append(import_in_child(data, folder).peak_rss_mb)
    ctx.shared[key] = peaks
    return peaks


def run(ctx: BenchContext) -> dict[str, Any]:
    """Compare the median peak RSS of a small and a ten times larger import."""
    small, large = ctx.size(100_000, 2_000), ctx.size(1_000_000, 20_000)
    small_runs, large_runs = peaks_mb(ctx, small), peaks_mb(ctx, large)
    small_mb, large_mb = statistics.median(small_runs), statistics.median(large_runs)
    return {
        "small_posts": small,
        "large_posts": large,
        "runs_per_size": len(small_runs),
        "peak_rss_mb_small": round(small_mb, 1),
        "peak_rss_mb_large": round(large_mb, 1),
        "peak_rss_mb_small_runs": [round(x, 1) for x in small_runs],
        "peak_rss_mb_large_runs": [round(x, 1) for x in large_runs],
        "growth_ratio": round(large_mb / small_mb, 2) if small_mb else None,
    }
