"""Cascade measures and the early-warning score on real Twitter16 trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from resonanz.insights.cascade_eval import evaluate
from resonanz.insights.cascades import depths, structural_virality, tree_metrics


def test_structural_virality_of_star_and_chain() -> None:
    assert structural_virality([-1, 0, 0, 0]) == pytest.approx(1.5)
    assert structural_virality([-1, 0, 1, 2]) == pytest.approx(10 / 6)
    assert structural_virality([-1]) == 0.0


def test_tree_metrics() -> None:
    parents = [-1, 0, 0, 1, 1, 1]
    metrics = tree_metrics(parents, [0, 60, 120, 4000, 4100, 5000])
    assert depths(parents) == [0, 1, 1, 2, 2, 2]
    assert metrics["size"] == 6
    assert metrics["depth"] == 2
    assert metrics["max_breadth"] == 3
    assert metrics["first_hour_size"] == 3


TWITTER16 = Path(__file__).resolve().parents[3] / "shared" / "data" / "twitter16_cascades"


def test_early_score_ranks_twitter16_final_sizes() -> None:
    if not TWITTER16.exists():
        pytest.skip(f"Twitter16 trees not available at {TWITTER16} (../shared/data is absent)")
    result = evaluate(TWITTER16)
    assert result["trees"] == 818
    assert result["early_score"]["spearman"] > 0.5
    assert result["early_score"]["auc_top10"] > 0.75
