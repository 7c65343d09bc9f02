"""Emotion of every post: anger, disgust, fear, joy, sadness, surprise or none."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import lexicon_matrix
from resonanz.enrich.heads import LinearHead
from resonanz.enrich.lexicon import read_tsv
from resonanz.records import EMOTIONS

_CUED = EMOTIONS[:-1]  # every emotion but "none"


@cache
def german_cues() -> sp.csr_matrix:
    """Return the hashed German emotion cue matrix (N_FEATURES × 6), one column per emotion."""
    cues = read_tsv("emotion_de.tsv")
    return lexicon_matrix([{w: 1.0 for w, e in cues.items() if e == emo} for emo in _CUED])


class EmotionEnricher:
    """English head for English (and other) posts, German cue words for German posts."""

    name = "emotion"
    produces = ("emotion",)

    def __init__(self, english: LinearHead, adapted: LinearHead | None = None) -> None:
        self.english = english
        self.adapted = adapted
        self.version = f"1+{(adapted or english).version}"

    def _head_labels(self, head: LinearHead, ctx: BatchContext) -> np.ndarray:
        proba = head.proba(ctx.features, ctx.dense)
        labels: np.ndarray = np.asarray(head.labels, dtype=object)[proba.argmax(axis=1)]
        return labels

    def labels(self, ctx: BatchContext) -> np.ndarray:
        """Return one emotion name per post."""
        if self.adapted is not None:
            labels = self._head_labels(self.adapted, ctx)
            return np.where(ctx.features.n_tokens == 0, "none", labels)
        if not ctx.is_de.any():
            labels = self._head_labels(self.english, ctx)
            return np.where(ctx.features.n_tokens == 0, "none", labels)
        # German posts take the cue words: the head reads only the others (its rows do not
        # depend on which other rows come with them)
        hits = np.asarray((ctx.features.unigrams @ german_cues()).todense())
        cued = np.asarray(_CUED, dtype=object)[hits.argmax(axis=1)]
        labels = np.where(hits.max(axis=1) > 0, cued, "none")
        others = np.flatnonzero(~ctx.is_de)
        if len(others):
            labels[others] = self._english_labels(ctx, others)
        return np.where(ctx.features.n_tokens == 0, "none", labels)

    def _english_labels(self, ctx: BatchContext, rows: np.ndarray) -> np.ndarray:
        """Return the English head's labels of ``rows``."""
        head, feats = self.english, ctx.features
        words = feats.words[rows] if head.words is not None else None
        chars = feats.chars[rows] if head.chars is not None else None
        proba = head.squash(head.scores(len(rows), words, chars, ctx.dense[rows]))
        found: np.ndarray = np.asarray(head.labels, dtype=object)[proba.argmax(axis=1)]
        return found

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``emotion`` column and remember it in ``ctx``."""
        labels = self.labels(ctx)
        ctx.results["emotion"] = labels
        return {"emotion": pa.array(labels.tolist(), pa.string())}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the emotion column of ``batch``."""
        return self.apply(BatchContext.of(batch))
