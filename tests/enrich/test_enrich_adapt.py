"""Adapting sentiment to a user's labels: setting and class offsets chosen by cross-validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp

from resonanz.enrich.adapt import save_task, train_task
from resonanz.enrich.context import BatchContext
from resonanz.enrich.selection import CANDIDATES, Candidate, temperature
from resonanz.enrich.training import Blocks, fit_head, log_count_ratio, one_hot

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
    assert "cross-validation" in head.meta["chosen_by"]
    assert set(head.meta["c"]) <= {cand.c for cand in CANDIDATES}
    report = head.meta["cross_validation"]
    assert {cand.name for cand in CANDIDATES} <= set(report)
    assert head.meta["chosen"] in report
    assert max(report.values()) == report[head.meta["chosen"]]
    ctx = BatchContext(["Zug kaputt heute defekt", "Zug gleis heute ticket"], ["de", "de"])
    pred = [head.labels[i] for i in head.proba(ctx.features, ctx.dense).argmax(axis=1)]
    assert pred == ["negative", "neutral"]


def test_small_sets_and_fixed_c_skip_cross_validation() -> None:
    assert "chosen_by" not in train_task("sentiment", _records(20)).meta
    assert "chosen_by" not in train_task("sentiment", _records(120), c=3.0).meta


def _fitting() -> tuple[BatchContext, list[str], np.ndarray, tuple[str, ...]]:
    """Return a small German sentiment set's features, labels, targets and inputs."""
    records = _records(60)
    texts = [r["text"] for r in records]
    labels = ["negative", "neutral", "positive"]
    targets = one_hot([r["sentiment"] for r in records], labels)
    return BatchContext(texts, ["de"] * len(texts)), labels, targets, ("words", "chars", "dense")


def test_character_weight_and_hinge_loss_are_folded_into_the_weights() -> None:
    ctx, labels, targets, inputs = _fitting()
    blocks = Blocks.of(ctx.features, inputs)
    plain = fit_head("t", blocks, ctx.dense, labels, targets, inputs=inputs, loss="hinge", c=0.3)
    heavy = fit_head(
        "t", blocks, ctx.dense, labels, targets, inputs=inputs, loss="hinge", c=0.3, char_weight=2.0
    )
    assert heavy.meta["char_weight"] == 2.0
    assert plain.version != heavy.version
    # Same training data through TextFeatures or Blocks gives the same model.
    again = fit_head(
        "t", ctx.features, ctx.dense, labels, targets, inputs=inputs, loss="hinge", c=0.3
    )
    assert again.version == plain.version
    pred = heavy.logits(ctx.features, ctx.dense).argmax(axis=1)
    assert np.mean(pred == targets.argmax(axis=1)) > 0.9


def test_temperature_sharpens_timid_scores() -> None:
    gold = np.array([0, 1, 2] * 20)
    timid = np.eye(3)[gold] * 0.2  # right but far too unsure
    assert temperature(timid, gold) > 4.0


def test_log_count_ratio_favours_columns_of_the_positive_rows() -> None:
    present = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 1, 1]], dtype=float))
    ratio = log_count_ratio(present, np.array([1, 1, 0, 0]))
    assert ratio[0] > 0 > ratio[1]
    assert abs(ratio[2]) < 1e-9


def test_naive_bayes_scaling_is_folded_into_the_weights() -> None:
    ctx, labels, targets, inputs = _fitting()
    plain = fit_head("t", ctx.features, ctx.dense, labels, targets, inputs=inputs, c=3.0)
    nb = fit_head("t", ctx.features, ctx.dense, labels, targets, inputs=inputs, c=3.0, nb=True)
    assert nb.meta["nb"] is True
    assert "nb" not in plain.meta
    assert nb.version != plain.version
    pred = nb.logits(ctx.features, ctx.dense).argmax(axis=1)
    assert np.mean(pred == targets.argmax(axis=1)) > 0.9
    assert "NB" in Candidate("logistic", 3.0, 2.0, nb=True).name


def test_model_card_lists_the_cross_validated_candidates(tmp_path: Path) -> None:
    head = train_task("sentiment", _records(120))
    save_task(head, tmp_path)
    card = (tmp_path / "MODEL_CARD_sentiment.md").read_text(encoding="utf-8")
    assert all(f"- {cand.name}: " in card for cand in CANDIDATES)
    assert head.meta["chosen"] in card
