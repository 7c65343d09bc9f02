"""Static English word vectors: a post's (weighted) mean word vector, as dense features.

The table is distilled once from a sentence encoder (see scripts/distil_word_vectors.py):
every word is embedded alone, reduced by PCA and stored as float16 beside its hashed word
column. At run time a post's vector is one sparse × dense product over the unigram counts
the shared features already hold, so it costs no tokenising and no model call per post.
The vectors let the English head generalise to words its training comments never used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from resonanz.enrich.features import N_FEATURES
from resonanz.errors import ModelError

FILE = "word_vectors_en.npz"
DIMS = 64


@dataclass(frozen=True)
class WordVectors:
    """Word vectors addressed by hashed word column."""

    lookup: np.ndarray  # N_FEATURES int32: row of the column's vector, -1 if none
    vectors: np.ndarray  # m × DIMS float32
    version: str

    def mean(self, unigrams: sp.csr_matrix) -> np.ndarray:
        """Return the (n × DIMS) mean vector of each row's known words (zeros if none)."""
        rows = self.lookup[unigrams.indices]
        keep = rows >= 0
        cumulative = np.concatenate([[0], np.cumsum(keep)])
        known = sp.csr_matrix(
            (unigrams.data[keep], rows[keep], cumulative[unigrams.indptr]),
            shape=(unigrams.shape[0], self.vectors.shape[0]),
        )
        total = np.asarray(known.sum(axis=1), dtype=np.float32).ravel()
        out = np.asarray(known @ self.vectors, dtype=np.float32)
        return out / np.maximum(total, 1.0)[:, None]


def save_vectors(path: Path, words: Sequence[str], columns: np.ndarray, vectors: np.ndarray) -> str:
    """Write a table (first word wins a shared column); return its version id."""
    usable = np.flatnonzero(columns >= 0)
    _, first = np.unique(columns[usable], return_index=True)
    keep = np.sort(usable[first])
    data = vectors[keep].astype(np.float16)
    cols = columns[keep].astype(np.int32)
    version = hashlib.sha256(data.tobytes() + cols.tobytes()).hexdigest()[:10]
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            columns=cols,
            vectors=data,
            words=np.asarray([words[i] for i in keep]),
            version=np.asarray(version),
        )
    return version


def read_vectors(path: Path) -> WordVectors:
    """Read a table written by :func:`save_vectors`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            columns = data["columns"]
            vectors = data["vectors"].astype(np.float32)
            version = str(data["version"])
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"cannot read word vectors {path}: {exc} (reinstall resonanz)") from None
    lookup = np.full(N_FEATURES, -1, dtype=np.int32)
    lookup[columns] = np.arange(len(columns), dtype=np.int32)
    return WordVectors(lookup, vectors, version)


@cache
def load_vectors() -> WordVectors:
    """Load the shipped English word vectors once per process."""
    folder = resources.files("resonanz.enrich.models")
    with resources.as_file(folder.joinpath(FILE)) as path:
        return read_vectors(path)
