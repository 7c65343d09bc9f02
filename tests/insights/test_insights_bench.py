"""The insights latency benchmark runs end to end on a tiny generated store."""

from __future__ import annotations

from pathlib import Path

from resonanz.bench.insights_latency import generate, measure
from resonanz.insights import INSIGHTS


def test_generate_and_measure(tmp_path: Path) -> None:
    path = tmp_path / "resonanz.duckdb"
    generate(path, 3_000)
    figures = measure(path, repeat=1)
    assert figures["full_scan_s"] > 0
    assert set(INSIGHTS) <= set(figures)
    assert all(figures[name]["seconds"] > 0 for name in INSIGHTS)
