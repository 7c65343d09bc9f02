"""Smoke runs of the pipeline, memory and streaming benchmarks (figures present, no timings),
and the pipeline summary's arithmetic."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from resonanz.bench import pipeline_speed, streaming
from resonanz.bench.pipeline_runs import Timing


def test_pipeline_speed_quick_reports_every_run(tmp_path: Path) -> None:
    ctx = SimpleNamespace(quick=True, posts=3_000, workers=0, tmp=tmp_path)
    figures = pipeline_speed.run(ctx)
    assert set(figures) >= {"targets", "floor", "vader", "full", "memory", "setup"}
    for name in ("floor", "vader", "full"):
        assert figures[name]["median_posts_per_cpu_s"] > 0
        assert len(figures[name]["per_segment_cpu"]) == pipeline_speed.QUICK_SEGMENTS
    targets = figures["targets"]
    assert isinstance(targets["full_within_3x_floor"], bool)
    assert len(figures["setup"]["cpu_probe_ms_per_segment"]) == pipeline_speed.QUICK_SEGMENTS
    memory = figures["memory"]
    assert memory["complete"] and memory["reached_posts"] == 3_000
    assert memory["peak_rss_mb_at_1000"] > 0 and memory["peak_rss_mb_at_3000"] > 0


def test_streaming_quick_commits_every_event() -> None:
    ctx = SimpleNamespace(quick=True, rate=500.0, duration=2.0, modes=(0,))
    figures = streaming.run(ctx)["in_process"]
    assert figures["events_due"] == 1_000
    assert figures["events_committed"] == 1_000
    assert figures["posts_stored"] == 1_000  # the source query keeps every post
    assert figures["lag_s"]["p50"] is not None and figures["rss_mb"]["max"] > 0
    assert figures["server"]["sent"] == 1_000


def _runs(full_walls: list[float], worker_walls: list[float]) -> dict[str, list[Timing]]:
    runs = {
        "floor": [Timing(1_000, 0.1, 0.1)] * len(full_walls),
        "vader": [Timing(1_000, 0.2, 0.2)] * len(full_walls),
        "full": [Timing(1_000, w, w) for w in full_walls],
        "full_workers": [Timing(1_000, w, w) for w in worker_walls],
    }
    return {name: values for name, values in runs.items() if values}


def test_the_worker_run_is_compared_with_the_same_segments_in_process() -> None:
    # The first two segments are slow for both runs; the in-process median (0.25 s) would
    # make the worker look no faster than in-process.
    targets = pipeline_speed.summarise(_runs([0.5, 0.5, 0.25, 0.25, 0.25], [0.25, 0.25]))["targets"]
    assert targets["workers_speedup_wall"] == 2.0
    assert targets["full_x_floor_time"] == 2.5 and targets["full_within_3x_floor"]


def test_without_a_worker_run_there_is_no_speedup() -> None:
    targets = pipeline_speed.summarise(_runs([0.3, 0.3], []))["targets"]
    assert "workers_speedup_wall" not in targets


def test_the_runs_are_compared_segment_by_segment() -> None:
    # The host slows down for the last segments, and once during the full pipeline only:
    # segment by segment the full pipeline is 1.2 times as fast as VADER, while its median
    # rate is half of VADER's.
    vader = [10.0, 10.0, 10.0, 2.0, 2.0]
    full = [12.0, 12.0, 5.0, 2.4, 2.4]

    def timings(rates: list[float]) -> list[Timing]:
        return [Timing(1_000, 1_000 / r, 1_000 / r) for r in rates]

    runs = {
        "floor": timings([2.75 * r for r in full]),
        "vader": timings(vader),
        "full": timings(full),
    }
    targets = pipeline_speed.summarise(runs)["targets"]
    assert targets["full_vs_vader"] == 1.2 and targets["full_at_least_vader"]
    assert targets["full_vs_vader_of_medians"] == 0.5
    assert targets["full_x_floor_time"] == 2.75 and targets["full_within_3x_floor"]
