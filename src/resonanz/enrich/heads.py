"""Linear model heads over the shared features: scoring, saving and loading.

A head reads some of the shared inputs (hashed words, hashed characters, dense lexicon
features) and returns one score column per label. Heads are stored as compressed ``.npz``
files holding only the non-zero weights, so they stay small and load in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from resonanz.enrich.features import N_FEATURES, TextFeatures
from resonanz.errors import ModelError

FORMAT = 1


@dataclass(frozen=True)
class LinearHead:
    """One trained linear classifier (multi-class softmax or multi-label sigmoid)."""

    task: str
    labels: tuple[str, ...]
    words: sp.csr_matrix | None  # N_FEATURES × K
    chars: sp.csr_matrix | None  # N_FEATURES × K
    dense: np.ndarray | None  # D × K
    intercept: np.ndarray  # K
    multilabel: bool = False
    thresholds: np.ndarray | None = None  # K, multi-label only
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Return a short stable id of the weights (changes whenever the model changes)."""
        return str(self.meta.get("version", "0"))

    def logits(self, feats: TextFeatures, dense: np.ndarray) -> np.ndarray:
        """Return the (n × K) raw scores of a batch."""
        words = feats.words if self.words is not None else None
        chars = feats.chars if self.chars is not None else None
        return self.scores(len(feats.raw), words, chars, dense)

    def scores(
        self,
        n: int,
        words: sp.csr_matrix | None,
        chars: sp.csr_matrix | None,
        dense: np.ndarray,
    ) -> np.ndarray:
        """Return the (n × K) raw scores of ``n`` rows of word, character and dense features."""
        out = np.tile(self.intercept.astype(np.float32), (n, 1))
        if self.words is not None and words is not None:
            out += (words @ self.words).toarray()
        if self.chars is not None and chars is not None:
            out += (chars @ self.chars).toarray()
        if self.dense is not None:
            # einsum, not BLAS: row results must not depend on the batch they come in (BLAS
            # blocks by matrix size), and BLAS worker threads spin on small products.
            out += np.einsum("nd,dk->nk", dense, self.dense)
        return out

    def proba(self, feats: TextFeatures, dense: np.ndarray) -> np.ndarray:
        """Return class probabilities (softmax) or per-label probabilities (sigmoid)."""
        return self.squash(self.logits(feats, dense))

    def squash(self, z: np.ndarray) -> np.ndarray:
        """Turn raw scores into probabilities (softmax, or sigmoid when multi-label)."""
        if self.multilabel:
            return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float32)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float32)

    def save(self, path: Path) -> None:
        """Write the head to ``path`` (an ``.npz`` file)."""
        arrays: dict[str, np.ndarray] = {"intercept": self.intercept.astype(np.float32)}
        for key, matrix in (("words", self.words), ("chars", self.chars)):
            if matrix is not None:
                m = matrix.tocsr()
                m.eliminate_zeros()
                arrays[f"{key}_data"] = m.data.astype(np.float16)
                arrays[f"{key}_indices"] = m.indices.astype(np.int32)
                arrays[f"{key}_indptr"] = m.indptr.astype(np.int32)
        if self.dense is not None:
            arrays["dense"] = self.dense.astype(np.float32)
        if self.thresholds is not None:
            arrays["thresholds"] = self.thresholds.astype(np.float32)
        meta = dict(self.meta, task=self.task, labels=list(self.labels), format=FORMAT)
        meta["multilabel"] = self.multilabel
        arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]


def weights_version(*parts: np.ndarray | None) -> str:
    """Return a short content hash of weight arrays (the model's version id)."""
    digest = hashlib.sha256()
    for part in parts:
        if part is not None:
            digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()[:10]


def _sparse(data: Any, key: str, k: int) -> sp.csr_matrix | None:
    if f"{key}_data" not in data:
        return None
    return sp.csr_matrix(
        (
            data[f"{key}_data"].astype(np.float32),
            data[f"{key}_indices"],
            data[f"{key}_indptr"],
        ),
        shape=(N_FEATURES, k),
    )


def load_head(path: Path) -> LinearHead:
    """Read a head written by :meth:`LinearHead.save`; raise :class:`ModelError` if unusable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT:
                raise ModelError(f"{path}: model format {meta.get('format')} is not {FORMAT}")
            k = len(meta["labels"])
            return LinearHead(
                task=str(meta["task"]),
                labels=tuple(meta["labels"]),
                words=_sparse(data, "words", k),
                chars=_sparse(data, "chars", k),
                dense=data.get("dense"),
                intercept=data["intercept"],
                multilabel=bool(meta.get("multilabel")),
                thresholds=data.get("thresholds"),
                meta=meta,
            )
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"cannot read model {path}: {exc} (retrain it with `resonanz train`)"
        ) from None
