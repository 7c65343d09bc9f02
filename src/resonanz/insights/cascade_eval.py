"""Check the cascade early-warning score on the Twitter16 propagation trees.

The question: ranking cascades by what is known after their first hour, how well does the
ranking follow their final size? Reported as Spearman's rank correlation with final size
and the ROC AUC for "ends in the top 10 % by size", beside early size alone as a baseline.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

from resonanz.insights.cascades import EARLY_ALERT, HOUR_S, depths, early_score, tree_metrics

EDGES_FILE = "twitter16_tree_edges.tsv"
TOP_SHARE = 0.10
Node = tuple[str, str, str]


def read_trees(folder: Path) -> Iterator[tuple[str, list[int], list[float]]]:
    """Yield ``(tree_id, parents, delays_s)`` per tree of the Twitter16 edge file.

    A node is (user id, tweet id, delay); a child whose parent was never seen as a node is
    attached to the root, a node seen twice is kept once (the data has such repeats).
    """
    path = folder / EDGES_FILE
    current: str | None = None
    index: dict[Node, int] = {}
    parents: list[int] = []
    delays: list[float] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["tree_id"] != current:
                if current is not None and parents:
                    yield current, parents, delays
                current, index, parents, delays = row["tree_id"], {}, [], []
            child: Node = (row["child_uid"], row["child_tweet_id"], row["child_delay_min"])
            if child in index:
                continue
            if row["parent_uid"] == "ROOT":
                parent = -1
            else:
                key: Node = (row["parent_uid"], row["parent_tweet_id"], row["parent_delay_min"])
                parent = index.get(key, 0 if parents else -1)
            index[child] = len(parents)
            parents.append(parent)
            delays.append(max(float(row["child_delay_min"]), 0.0) * 60.0)
    if current is not None and parents:
        yield current, parents, delays


def evaluate(folder: Path) -> dict[str, Any]:
    """Return Spearman and top-10 % AUC of the first-hour score against final size."""
    sizes: list[int] = []
    scores: list[float] = []
    early_sizes: list[int] = []
    virality: list[float] = []
    for _tree, parents, delays in read_trees(folder):
        metrics = tree_metrics(parents, delays)
        sizes.append(int(metrics["size"]))
        scores.append(early_score(delays, depths(parents)))
        early_sizes.append(sum(1 for d in delays if d <= HOUR_S))
        virality.append(float(metrics["structural_virality"]))
    size_arr = np.array(sizes)
    cut = float(np.quantile(size_arr, 1.0 - TOP_SHARE))
    top = (size_arr >= cut).astype(int)
    flagged = np.array(scores) >= EARLY_ALERT

    def rank_stats(values: list[float] | list[int]) -> dict[str, float]:
        rho = spearmanr(values, sizes).statistic
        return {
            "spearman": round(float(rho), 4),
            "auc_top10": round(float(roc_auc_score(top, values)), 4),
        }

    return {
        "dataset": "Twitter16 propagation trees (Ma, Gao, Wong 2017)",
        "trees": len(sizes),
        "median_size": float(np.median(size_arr)),
        "top10_size_cut": cut,
        "early_score": rank_stats(scores),
        "baseline_first_hour_size": rank_stats(early_sizes),
        "early_alert_threshold": EARLY_ALERT,
        "early_alert_precision": _ratio(int((flagged & (top == 1)).sum()), int(flagged.sum())),
        "early_alert_recall": _ratio(int((flagged & (top == 1)).sum()), int(top.sum())),
        "mean_structural_virality": round(float(np.mean(virality)), 4),
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def write_result(result: dict[str, Any], out: Path) -> Path:
    """Write the evaluation as JSON (NaN as null) and return the path."""
    out.parent.mkdir(parents=True, exist_ok=True)
    clean = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in result.items()}
    out.write_text(json.dumps(clean, indent=2) + "\n", encoding="utf-8")
    return out
