"""Smoke runs of the pipeline, memory and streaming benchmarks (figures present, no timings)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from resonanz.bench import pipeline_speed, streaming


def test_pipeline_speed_quick_reports_every_run(tmp_path: Path) -> None:
    ctx = SimpleNamespace(quick=True, posts=3_000, workers=0, tmp=tmp_path)
    figures = pipeline_speed.run(ctx)
    assert set(figures) >= {"targets", "floor", "vader", "full", "memory", "setup"}
    for name in ("floor", "vader", "full"):
        assert figures[name]["median_posts_per_cpu_s"] > 0
        assert len(figures[name]["per_segment_cpu"]) == pipeline_speed.QUICK_SEGMENTS
    targets = figures["targets"]
    assert isinstance(targets["full_within_3x_floor"], bool)
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
