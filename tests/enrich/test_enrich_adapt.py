"""Adapting sentiment to a user's labels: C and class offsets chosen by cross-validation."""

from __future__ import annotations

import numpy as np

from resonanz.enrich.adapt import C_GRID, train_task
from resonanz.enrich.context import BatchContext

WORDS = {
    "negative": ["kaputt", "verspätet", "ärgerlich", "defekt"],
    "neutral": ["fahrplan", "gleis", "ticket", "bahnhof"],
    "positive": ["pünktlich", "freundlich", "bequem", "sauber"],
}


def _records(n: int) -> list[dict[str, str]]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        label = ("neutral", "neutral", "negative", "positive")[i % 4]  # neutral is the majority
        words = rng.choice(WORDS[label], size=2).tolist()
        out.append({"text": f"Zug {words[0]} heute {words[1]}", "sentiment": label})
    return out


def test_cross_validation_chooses_c_and_offsets() -> None:
    head = train_task("sentiment", _records(120))
    assert head.meta["chosen_by"].endswith("cross-validation")
    assert head.meta["c"] in C_GRID
    ctx = BatchContext(["Zug kaputt heute defekt", "Zug gleis heute ticket"], ["de", "de"])
    pred = [head.labels[i] for i in head.proba(ctx.features, ctx.dense).argmax(axis=1)]
    assert pred == ["negative", "neutral"]


def test_small_sets_and_fixed_c_skip_cross_validation() -> None:
    assert "chosen_by" not in train_task("sentiment", _records(20)).meta
    assert "chosen_by" not in train_task("sentiment", _records(120), c=3.0).meta
