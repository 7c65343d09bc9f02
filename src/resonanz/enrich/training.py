"""Fit linear heads on labelled texts: the shipped defaults and ``resonanz train`` both use this.

Each label gets a one-vs-rest logistic regression (liblinear) over the shared features,
fitted on the columns the training texts actually use; the weights are scattered back into
the fixed hashed space, so a head needs no vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from resonanz.enrich.features import N_FEATURES, TextFeatures
from resonanz.enrich.heads import LinearHead, weights_version
from resonanz.errors import ModelError

#: Dense features are scaled down so that word weights, not a few counts, carry the model.
DENSE_WEIGHT = 0.3


def _design(
    feats: TextFeatures, dense: np.ndarray, inputs: Sequence[str], scale: np.ndarray
) -> sp.csr_matrix:
    parts: list[sp.csr_matrix] = []
    if "words" in inputs:
        parts.append(feats.words)
    if "chars" in inputs:
        parts.append(feats.chars)
    if "dense" in inputs:
        parts.append(sp.csr_matrix(dense * scale))
    return sp.hstack(parts, format="csr", dtype=np.float64)


def _fit_columns(
    x: sp.csr_matrix, targets: np.ndarray, c: float, balanced: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one binary model per target column; return (coef K × features, intercept K)."""
    coefs, intercepts = [], []
    for k in range(targets.shape[1]):
        y = targets[:, k]
        if y.min() == y.max():
            # A label that is always (or never) present: a constant score, no weights.
            coefs.append(np.zeros(x.shape[1]))
            intercepts.append(4.0 if y[0] else -4.0)
            continue
        model = LogisticRegression(
            C=c, solver="liblinear", class_weight="balanced" if balanced else None
        )
        model.fit(x, y)
        coefs.append(model.coef_[0])
        intercepts.append(float(model.intercept_[0]))
    return np.vstack(coefs), np.asarray(intercepts, dtype=np.float32)


def _scatter(coef: np.ndarray, columns: np.ndarray, width: int) -> sp.csr_matrix:
    """Place compact weights (K × used) back into a (width × K) sparse matrix."""
    keep = np.abs(coef).max(axis=0) > 1e-4
    rows = columns[keep]
    k = coef.shape[0]
    full = sp.coo_matrix(
        (
            coef[:, keep].T.astype(np.float32).ravel(),
            (np.repeat(rows, k), np.tile(np.arange(k), len(rows))),
        ),
        shape=(width, k),
    )
    return full.tocsr()


def fit_head(
    task: str,
    feats: TextFeatures,
    dense: np.ndarray,
    labels: Sequence[str],
    targets: np.ndarray,
    *,
    inputs: Sequence[str] = ("words", "dense"),
    c: float = 3.0,
    multilabel: bool = False,
    balanced: bool = False,
    meta: dict[str, Any] | None = None,
    dense_weight: float = DENSE_WEIGHT,
) -> LinearHead:
    """Fit a head; ``targets`` is an (n × K) 0/1 matrix (one 1 per row unless multi-label)."""
    if targets.shape[0] < 2:
        raise ModelError(f"{task}: need at least 2 labelled texts to train, got {targets.shape[0]}")
    scale = dense_weight / (dense.std(axis=0) + 1e-3)
    x = _design(feats, dense, inputs, scale)
    columns = np.unique(x.indices)
    coef, intercept = _fit_columns(x[:, columns], targets.astype(np.int8), c, balanced)
    width = x.shape[1]
    full = _scatter(coef, columns, width)
    offset = 0
    blocks: dict[str, Any] = {}
    for name in ("words", "chars"):
        if name in inputs:
            blocks[name] = full[offset : offset + N_FEATURES]
            offset += N_FEATURES
    if "dense" in inputs:
        blocks["dense"] = (full[offset:].toarray() * scale[:, None]).astype(np.float32)
    version = weights_version(
        intercept, *(b.data if sp.issparse(b) else b for b in blocks.values())
    )
    return LinearHead(
        task=task,
        labels=tuple(labels),
        words=blocks.get("words"),
        chars=blocks.get("chars"),
        dense=blocks.get("dense"),
        intercept=intercept,
        multilabel=multilabel,
        thresholds=np.full(len(labels), 0.5, dtype=np.float32) if multilabel else None,
        meta=dict(meta or {}, version=version, inputs=list(inputs), c=c),
    )


def one_hot(values: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Return the (n × K) indicator matrix of single labels."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(values), len(labels)), dtype=np.int8)
    for row, value in enumerate(values):
        out[row, index[value]] = 1
    return out


def many_hot(values: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """Return the (n × K) indicator matrix of label lists."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(values), len(labels)), dtype=np.int8)
    for row, items in enumerate(values):
        for item in items:
            out[row, index[item]] = 1
    return out
