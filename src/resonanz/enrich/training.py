"""Fit linear heads on labelled texts: the shipped defaults and ``resonanz train`` both use this.

Each label gets a one-vs-rest linear model (liblinear: logistic regression, or a squared-hinge
SVM) over the shared features, fitted on the columns the training texts actually use; the
weights are scattered back into the fixed hashed space, so a head needs no vocabulary. Any
input scaling used while fitting (dense standardisation, the character block's weight) is
folded into the stored weights, so prediction reads the shared features unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from resonanz.enrich.features import N_FEATURES, TextFeatures
from resonanz.enrich.heads import LinearHead, weights_version
from resonanz.errors import ModelError

#: Dense features are scaled down so that word weights, not a few counts, carry the model.
DENSE_WEIGHT = 0.3
#: Losses a head can be fitted with.
LOSSES = ("logistic", "hinge")


@dataclass(frozen=True)
class Blocks:
    """The sparse inputs of a set of texts, as matrices (rows can be sliced for folds)."""

    words: sp.csr_matrix
    chars: sp.csr_matrix | None

    @classmethod
    def of(cls, feats: TextFeatures, inputs: Sequence[str]) -> Blocks:
        """Return the blocks of ``feats`` that ``inputs`` use (characters only when asked)."""
        return cls(feats.words, feats.chars if "chars" in inputs else None)

    def rows(self, index: np.ndarray) -> Blocks:
        """Return the blocks of the rows in ``index``."""
        return Blocks(self.words[index], None if self.chars is None else self.chars[index])


def _design(
    blocks: Blocks,
    dense: np.ndarray,
    inputs: Sequence[str],
    scale: np.ndarray,
    char_weight: float,
) -> sp.csr_matrix:
    parts: list[sp.csr_matrix] = []
    if "words" in inputs:
        parts.append(blocks.words)
    if "chars" in inputs and blocks.chars is not None:
        parts.append(blocks.chars * char_weight if char_weight != 1.0 else blocks.chars)
    if "dense" in inputs:
        parts.append(sp.csr_matrix(dense * scale))
    return sp.hstack(parts, format="csr", dtype=np.float64)


def _binary_model(
    c: float, balanced: bool, loss: str, dual: bool
) -> LogisticRegression | LinearSVC:
    weight = "balanced" if balanced else None
    if loss == "hinge":
        # A fixed seed: the dual solver visits the texts in a random order.
        return LinearSVC(C=c, class_weight=weight, dual=True, max_iter=5000, random_state=0)
    if dual:
        # The same optimum as the primal solver, several times faster when texts < features.
        return LogisticRegression(
            C=c, solver="liblinear", class_weight=weight, dual=True, max_iter=1000, random_state=0
        )
    return LogisticRegression(C=c, solver="liblinear", class_weight=weight)


def log_count_ratio(present: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Return each column's log-ratio of presence in positive against negative rows.

    This is the naive-Bayes weighting of NB-SVM (Wang & Manning 2012): a column seen mostly
    in one class is scaled up before the linear model is fitted, so few labels go further.
    """
    p = alpha + np.asarray(present[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[y == 0].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())), dtype=np.float64)


def _fit_columns(
    x: sp.csr_matrix,
    targets: np.ndarray,
    c: float,
    balanced: bool,
    loss: str = "logistic",
    dual: bool = False,
    nb: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit one binary model per target column; return (coef K × features, intercept K).

    With ``nb``, each column's inputs are scaled by their log-count ratio for that label and
    the factor is folded back into the weights, so the model reads unscaled inputs.
    """
    present = (x != 0).astype(np.float64) if nb else None
    coefs, intercepts = [], []
    for k in range(targets.shape[1]):
        y = targets[:, k]
        if y.min() == y.max():
            # A label that is always (or never) present: a constant score, no weights.
            coefs.append(np.zeros(x.shape[1]))
            intercepts.append(4.0 if y[0] else -4.0)
            continue
        ratio = log_count_ratio(present, y) if present is not None else None
        model = _binary_model(c, balanced, loss, dual)
        with warnings.catch_warnings():
            # liblinear may stop at max_iter on separable folds; the weights are still usable.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x if ratio is None else x @ sp.diags(ratio), y)
        coefs.append(model.coef_[0] if ratio is None else model.coef_[0] * ratio)
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
    feats: TextFeatures | Blocks,
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
    loss: str = "logistic",
    char_weight: float = 1.0,
    dual: bool = False,
    nb: bool = False,
) -> LinearHead:
    """Fit a head; ``targets`` is an (n × K) 0/1 matrix (one 1 per row unless multi-label).

    ``loss`` picks logistic regression or a squared-hinge SVM, ``char_weight`` scales the
    character block against the word block (the stored weights absorb the factor), and
    ``dual`` solves logistic regression in its dual form (same optimum, faster on few texts);
    ``nb`` scales inputs by their naive-Bayes log-count ratios (NB-SVM) while fitting.
    """
    if targets.shape[0] < 2:
        raise ModelError(f"{task}: need at least 2 labelled texts to train, got {targets.shape[0]}")
    if loss not in LOSSES:
        raise ModelError(f"{task}: unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    blocks = feats if isinstance(feats, Blocks) else Blocks.of(feats, inputs)
    std = dense.std(axis=0)
    # A constant column says nothing, and its huge scaled values would stall the dual solver.
    # (float32 leaves a constant column a std of about 1e-7 of its value, hence the margin).
    constant = std <= 1e-5 * (1.0 + np.abs(dense.mean(axis=0)))
    scale = np.where(constant, 0.0, dense_weight / (std + 1e-3))
    x = _design(blocks, dense, inputs, scale, char_weight)
    columns = np.unique(x.indices)
    coef, intercept = _fit_columns(
        x[:, columns], targets.astype(np.int8), c, balanced, loss, dual, nb
    )
    full = _scatter(coef, columns, x.shape[1])
    offset = 0
    parts: dict[str, Any] = {}
    for name in ("words", "chars"):
        if name in inputs:
            parts[name] = full[offset : offset + N_FEATURES]
            offset += N_FEATURES
    if "chars" in parts and char_weight != 1.0:
        parts["chars"] = (parts["chars"] * char_weight).tocsr()
    if "dense" in inputs:
        parts["dense"] = (full[offset:].toarray() * scale[:, None]).astype(np.float32)
    version = weights_version(intercept, *(b.data if sp.issparse(b) else b for b in parts.values()))
    extra: dict[str, Any] = (
        {"loss": loss, "char_weight": char_weight}
        if loss != "logistic" or char_weight != 1.0
        else {}
    )
    if nb:
        extra["nb"] = True
    return LinearHead(
        task=task,
        labels=tuple(labels),
        words=parts.get("words"),
        chars=parts.get("chars"),
        dense=parts.get("dense"),
        intercept=intercept,
        multilabel=multilabel,
        thresholds=np.full(len(labels), 0.5, dtype=np.float32) if multilabel else None,
        meta=dict(meta or {}, version=version, inputs=list(inputs), c=c, **extra),
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
