"""Train or adapt a task model from labelled posts (`resonanz train`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from resonanz.enrich.context import BatchContext
from resonanz.enrich.heads import LinearHead
from resonanz.enrich.selection import FOLDS, TrainingData, select
from resonanz.enrich.training import Blocks, fit_head, many_hot, one_hot
from resonanz.errors import ModelError
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS

TASKS = ("sentiment", "emotion", "aspects", "intents")
#: Inputs of adapted heads: characters help most with small in-domain sets.
ADAPT_INPUTS = ("words", "chars", "dense")
#: Below this many records per fold, cross-validation is skipped.
MIN_PER_FOLD = 30
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

    Without a fixed ``c``, a single-label task chooses its setting by cross-validation on the
    records (see :data:`CANDIDATES`, plus the average of the best logistic and the best hinge
    model), together with per-class score offsets; the criterion is accuracy (micro-F1), or
    macro-F1 when ``balanced`` asks for classes to count equally.
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
    blocks, dense = Blocks.of(ctx.features, inputs), ctx.dense
    meta: dict[str, Any] = {"data": f"{len(rows)} labelled records", "trained_on": "user data"}
    multilabel = task in ("aspects", "intents")
    if c is None and not multilabel and len(rows) >= FOLDS * MIN_PER_FOLD:
        data = TrainingData(task, blocks, dense, tuple(labels), targets, tuple(inputs), balanced)
        chosen = select(data, meta)
        if chosen is not None:
            return chosen
    head = fit_head(
        task,
        blocks,
        dense,
        labels,
        targets,
        inputs=inputs,
        c=c if c is not None else MULTILABEL_C,
        multilabel=multilabel,
        balanced=balanced,
        meta=meta,
    )
    if multilabel:
        head.thresholds[:] = 0.4  # type: ignore[index]
    return head


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
        f"- Setting: {head.meta.get('chosen', 'fixed')}; {head.meta.get('chosen_by', '')}",
        f"- Version: {head.version}",
        "- Licence: whatever the training data's licence allows; the weights derive from it.",
    ]
    report = head.meta.get("cross_validation") or {}
    if report:
        card += ["", "## Cross-validated score of every candidate", ""]
        card += [f"- {name}: {value}" for name, value in report.items()]
    if metrics:
        card += ["", "## Metrics", "", "```", json.dumps(metrics, indent=2), "```"]
    (out / f"MODEL_CARD_{head.task}.md").write_text("\n".join(card) + "\n", encoding="utf-8")
    return path
