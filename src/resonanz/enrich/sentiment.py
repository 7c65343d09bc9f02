"""Sentiment of every post: negative / neutral / positive with a score in [-1, 1]."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from resonanz.enrich.context import BatchContext
from resonanz.enrich.features import TextFeatures
from resonanz.enrich.heads import LinearHead
from resonanz.enrich.polarity import negated_dense
from resonanz.enrich.wordvectors import load_vectors
from resonanz.errors import ModelError
from resonanz.records import SENTIMENTS


def _ordered(head: LinearHead, proba: np.ndarray) -> np.ndarray:
    """Return probabilities in SENTIMENTS order (negative, neutral, positive)."""
    out = np.zeros((proba.shape[0], len(SENTIMENTS)), dtype=np.float32)
    for j, label in enumerate(SENTIMENTS):
        if label in head.labels:  # an adapted head may know only some of the classes
            out[:, j] = proba[:, head.labels.index(label)]
    return out


def rule_blend(head: LinearHead) -> float:
    """Return the share of the lexicon rule's probabilities in the English head's output."""
    return float(head.meta.get("rule_blend", 0.0))


def blend(head: LinearHead, english: np.ndarray, rule: np.ndarray) -> np.ndarray:
    """Mix the English head's probabilities with the lexicon rule's, as the head asks.

    The head learnt from Reddit comments; the rule reads the VADER lexicon with negation and
    contrast. Their errors differ (the head misses rare polar words, the rule misses
    implicit complaints), so a weighted mean of both is steadier on tweets than either.
    """
    weight = rule_blend(head)
    if weight <= 0.0:
        return english
    return np.asarray((1.0 - weight) * english + weight * rule, dtype=np.float32)


def english_dense(head: LinearHead, unigrams: sp.csr_matrix, dense: np.ndarray) -> np.ndarray:
    """Return the dense input of the English head: lexicon evidence, plus word vectors if used."""
    wanted = head.meta.get("word_vectors")
    if not wanted:
        return dense
    vectors = load_vectors()
    if vectors.version != wanted:
        raise ModelError(
            f"the English sentiment model needs word vectors {wanted}, found {vectors.version};"
            " reinstall resonanz"
        )
    return np.hstack([dense, vectors.mean(unigrams)])


class SentimentEnricher:
    """Score sentiment with the English head, the lexicon head elsewhere, or an adapted head."""

    name = "sentiment"
    produces = ("sentiment", "sentiment_score")

    def __init__(
        self,
        english: LinearHead,
        lexical: LinearHead,
        adapted: LinearHead | None = None,
    ) -> None:
        self.english = english
        self.lexical = lexical
        self.adapted = adapted
        used = adapted.version if adapted is not None else f"{english.version}.{lexical.version}"
        self.version = f"1+{used}"

    def probabilities(self, ctx: BatchContext) -> np.ndarray:
        """Return (n × 3) probabilities in SENTIMENTS order."""
        feats, dense = ctx.features, ctx.dense
        if self.adapted is not None:
            proba = _ordered(self.adapted, self.adapted.proba(feats, dense))
        else:
            # The shipped heads were fitted on lexicon sums with negated words flipped.
            dense = negated_dense(ctx)
            proba = _ordered(self.lexical, self.lexical.proba(feats, dense))
        if self.adapted is None and ctx.is_en.any():
            rows = np.flatnonzero(ctx.is_en)
            proba[rows] = blend(self.english, self._english(feats, dense, rows), proba[rows])
        # Nothing to read (empty, only URLs or symbols the models do not know): neutral.
        empty = ctx.features.n_tokens == 0
        proba[empty] = (0.0, 1.0, 0.0)
        return proba

    def _english(self, feats: TextFeatures, dense: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return the English head's probabilities of ``rows`` in SENTIMENTS order."""
        every = len(rows) == len(feats.raw)
        words = feats.words if every else feats.words[rows]
        unigrams = feats.unigrams if every else feats.unigrams[rows]
        head = self.english
        z = head.scores(len(rows), words, None, english_dense(head, unigrams, dense[rows]))
        return _ordered(head, head.squash(z))

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return ``sentiment`` and ``sentiment_score`` and remember them in ``ctx``."""
        proba = self.probabilities(ctx)
        index = proba.argmax(axis=1)
        score = (proba[:, 2] - proba[:, 0]).astype(np.float32)
        labels = np.asarray(SENTIMENTS, dtype=object)[index]
        ctx.results["sentiment"] = labels
        ctx.results["sentiment_score"] = score
        return {
            "sentiment": pa.array(labels.tolist(), pa.string()),
            "sentiment_score": pa.array(score, pa.float32()),
        }

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the sentiment columns of ``batch``."""
        return self.apply(BatchContext.of(batch))
