"""The insights latency benchmark runs end to end on a tiny generated store."""

from __future__ import annotations

from pathlib import Path

import pytest

from resonanz.bench import insights_latency
from resonanz.bench.context import BenchContext
from resonanz.bench.insights_latency import generate, measure
from resonanz.insights import INSIGHTS


def test_generate_and_measure(tmp_path: Path) -> None:
    path = tmp_path / "resonanz.duckdb"
    generate(path, 3_000)
    figures = measure(path, repeat=1)
    assert figures["full_scan_s"] > 0
    assert set(INSIGHTS) <= set(figures)
    assert all(figures[name]["seconds"] > 0 for name in INSIGHTS)


def test_cached_stores_are_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(insights_latency, "QUICK_SIZES", (2_000,))
    monkeypatch.setenv(insights_latency.CACHE_ENV, str(tmp_path / "cache"))
    ctx = BenchContext(tmp=tmp_path / "scratch", quick=True, repeat=1)
    insights_latency.run(ctx)
    stores = list((tmp_path / "cache").glob("*/resonanz.duckdb"))
    assert len(stores) == 1
    built = stores[0].stat().st_mtime_ns
    figures = insights_latency.run(ctx)
    assert stores[0].stat().st_mtime_ns == built
    assert figures["2000"]["full_scan_s"] > 0
