"""Train or adapt a task model from labelled posts (`resonanz train`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import TextFeatures
from resonanz.enrich.heads import LinearHead, weights_version
from resonanz.enrich.training import fit_head, many_hot, one_hot
from resonanz.errors import ModelError
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS

TASKS = ("sentiment", "emotion", "aspects", "intents")
#: Inputs of adapted heads: characters help most with small in-domain sets.
ADAPT_INPUTS = ("words", "chars", "dense")
#: Regularisation strengths tried by cross-validation when the caller fixes none.
C_GRID = (3.0, 10.0, 30.0)
#: Folds of that cross-validation; below this many records per fold it is skipped.
FOLDS = 3
MIN_PER_FOLD = 30
#: Class score offsets tried (on out-of-fold scores) to favour what the metric rewards.
OFFSETS = np.arange(-1.0, 1.01, 0.25)
MULTILABEL_C = 10.0


def _labels(task: str, records: Sequence[Mapping[str, Any]]) -> tuple[list[str], np.ndarray]:
    if task in ("sentiment", "emotion"):
        allowed = SENTIMENTS if task == "sentiment" else EMOTIONS
        values = [str(r[task]) for r in records]
        bad = sorted(set(values) - set(allowed))
        if bad:
            raise ModelError(f"{task}: unknown labels {bad}; use {', '.join(allowed)}")
        labels = [a for a in allowed if a in values]
        return labels, one_hot(values, labels)
    if task == "intents":
        lists = [list(r.get("intents") or []) for r in records]
        labels = [i for i in INTENTS if any(i in row for row in lists)]
        return labels, many_hot(lists, labels)
    lists = [[f"{a['category']}:{a['polarity']}" for a in r.get("aspects") or []] for r in records]
    labels = sorted({item for row in lists for item in row})
    return labels, many_hot(lists, labels)


def train_task(
    task: str,
    records: Sequence[Mapping[str, Any]],
    *,
    balanced: bool = False,
    c: float | None = None,
    inputs: Sequence[str] = ADAPT_INPUTS,
) -> LinearHead:
    """Fit ``task`` on records with ``text`` and the task's label field(s).

    Without a fixed ``c``, a single-label task chooses it by cross-validation on the records,
    together with per-class score offsets; the criterion is accuracy (micro-F1), or macro-F1
    when ``balanced`` asks for classes to count equally.
    """
    if task not in TASKS:
        raise ModelError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    key = "aspects" if task == "aspects" else task
    rows = [r for r in records if r.get("text") and r.get(key) is not None]
    if len(rows) < 2:
        raise ModelError(f"{task}: need records with 'text' and '{key}' (found {len(rows)})")
    labels, targets = _labels(task, rows)
    if len(labels) < (1 if task in ("aspects", "intents") else 2):
        raise ModelError(f"{task}: the data has too few distinct labels to learn from")
    ctx = BatchContext([str(r["text"]) for r in rows], [r.get("lang") for r in rows])
    meta: dict[str, Any] = {"data": f"{len(rows)} labelled records", "trained_on": "user data"}
    multilabel = task in ("aspects", "intents")
    offsets = np.zeros(len(labels), dtype=np.float32)
    if c is None and not multilabel and len(rows) >= FOLDS * MIN_PER_FOLD:
        c, offsets = _cross_validate(ctx.features, ctx.dense, labels, targets, inputs, balanced)
        meta["chosen_by"] = f"{FOLDS}-fold cross-validation"
    head = fit_head(
        task,
        ctx.features,
        ctx.dense,
        labels,
        targets,
        inputs=inputs,
        c=c if c is not None else MULTILABEL_C,
        multilabel=multilabel,
        balanced=balanced,
        meta=meta,
    )
    if offsets.any():
        intercept = head.intercept + offsets
        version = weights_version(np.asarray(head.version.encode()), intercept)
        head = replace(head, intercept=intercept, meta=dict(head.meta, version=version))
    if multilabel:
        head.thresholds[:] = 0.4  # type: ignore[index]
    return head


def _score(gold: np.ndarray, pred: np.ndarray, k: int, balanced: bool) -> float:
    """Return accuracy, or macro-F1 over the ``k`` classes when ``balanced``."""
    if not balanced:
        return float(np.mean(gold == pred))
    f1 = []
    for label in range(k):
        tp = np.sum((gold == label) & (pred == label))
        denominator = np.sum(gold == label) + np.sum(pred == label)
        f1.append(2 * tp / denominator if denominator else 0.0)
    return float(np.mean(f1))


def _best_offsets(scores: np.ndarray, gold: np.ndarray, balanced: bool) -> tuple[float, np.ndarray]:
    """Return the best criterion and the class offsets (first class fixed at 0) reaching it."""
    k = scores.shape[1]
    best, chosen = _score(gold, scores.argmax(1), k, balanced), np.zeros(k)
    for _ in range(2):  # coordinate ascent: each class's offset in turn, twice
        for j in range(1, k):
            for value in OFFSETS:
                trial = chosen.copy()
                trial[j] = value
                got = _score(gold, (scores + trial).argmax(1), k, balanced)
                if got > best + 1e-9:
                    best, chosen = got, trial
    return best, chosen


def _cross_validate(
    feats: TextFeatures,
    dense: np.ndarray,
    labels: Sequence[str],
    targets: np.ndarray,
    inputs: Sequence[str],
    balanced: bool,
) -> tuple[float, np.ndarray]:
    """Return the C of C_GRID and the class offsets with the best out-of-fold criterion."""
    n = targets.shape[0]
    gold = targets.argmax(axis=1)
    fold = np.arange(n) % FOLDS  # interleaved: deterministic and spread over the file
    best: tuple[float, float, np.ndarray] = (-1.0, C_GRID[0], np.zeros(len(labels)))
    for c in C_GRID:
        scores = np.zeros(targets.shape, dtype=np.float32)
        for k in range(FOLDS):
            train, held = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            if len(set(gold[train].tolist())) < len(labels):
                return C_GRID[0], np.zeros(len(labels), dtype=np.float32)
            part = TextFeatures([feats.raw[i] for i in train])
            head = fit_head(
                "cv",
                part,
                dense[train],
                labels,
                targets[train],
                inputs=inputs,
                c=c,
                balanced=balanced,
            )
            held_feats = TextFeatures([feats.raw[i] for i in held])
            scores[held] = head.logits(held_feats, dense[held])
        value, offsets = _best_offsets(scores, gold, balanced)
        if value > best[0] + 1e-9:
            best = (value, c, offsets)
    return best[1], best[2].astype(np.float32)


def save_task(head: LinearHead, out: Path, metrics: Mapping[str, Any] | None = None) -> Path:
    """Write ``<out>/<task>.npz`` and a model card beside it; return the model path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{head.task}.npz"
    head.save(path)
    card = [
        f"# Adapted {head.task} model",
        "",
        f"- Trained with `resonanz train {head.task}` on {head.meta.get('data')}.",
        f"- Labels: {', '.join(head.labels)}",
        f"- Inputs: {', '.join(head.meta.get('inputs', []))}; C={head.meta.get('c')}",
        f"- Version: {head.version}",
        "- Licence: whatever the training data's licence allows; the weights derive from it.",
    ]
    if metrics:
        card += ["", "## Metrics", "", "```", json.dumps(metrics, indent=2), "```"]
    (out / f"MODEL_CARD_{head.task}.md").write_text("\n".join(card) + "\n", encoding="utf-8")
    return path
