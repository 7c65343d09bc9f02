"""The word hasher's bounded memos: same columns as scikit-learn whatever they hold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from resonanz.enrich.features import FAST_TOKEN_PATTERN, TOKEN_PATTERN, normalise_all
from resonanz.enrich.hashing import WordHasher
from resonanz.scale.firehose import post_rows

N_FEATURES = 2**18


def _reference(ngrams: tuple[int, int]) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=N_FEATURES,
        ngram_range=ngrams,
        alternate_sign=False,
        token_pattern=TOKEN_PATTERN,
        lowercase=False,
        norm=None,
        dtype=np.float32,
    )


def _batches() -> list[list[str]]:
    texts = normalise_all([row["text"] for row in post_rows(240, seed=3)])
    texts = [f"{text} n{i} n{i % 7}" for i, text in enumerate(texts)]  # new tokens every post
    return [texts[i : i + 40] for i in range(0, len(texts), 40)] + [texts[:40]]


def _limits(monkeypatch: pytest.MonkeyPatch, words: int, chunks: int) -> None:
    monkeypatch.setattr("resonanz.enrich.hashing.WORD_LIMIT", words)
    monkeypatch.setattr("resonanz.enrich.hashing.CHUNK_LIMIT", chunks)


def test_a_full_chunk_memo_moves_aside_without_renumbering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _limits(monkeypatch, words=10**6, chunks=50)
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    both, unigrams = _reference((1, 2)), _reference((1, 1))
    sizes = []
    for batch in _batches():
        counts, words = hasher.transform(batch)
        assert (counts != both.transform(batch)).nnz == 0
        assert (words != unigrams.transform(batch)).nnz == 0
        assert counts.has_canonical_format
        sizes.append(hasher.cached)
    assert hasher.generation == 0  # token numbers stayed valid throughout
    # two generations at most: the full one set aside and the one being filled
    assert max(s["chunks"] for s in sizes) <= 2 * 50 + 40 * 40


def test_numbering_starts_over_past_the_word_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    _limits(monkeypatch, words=100, chunks=10**6)
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    both = _reference((1, 2))
    batches = _batches()
    stale = hasher.encode(batches[0])
    for batch in batches:
        assert (hasher.transform(batch)[0] != both.transform(batch)).nnz == 0
    assert hasher.generation > 0
    assert hasher.cached["tokens"] <= 100 + 40 * 40
    # an encoding of an earlier numbering is not used: the batch is encoded again
    assert stale is not None and stale.generation != hasher.generation
    again = hasher.transform(batches[0], stale)[0]
    assert (again != both.transform(batches[0])).nnz == 0


def test_long_and_unusual_bigrams_hash_as_scikit_learn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("resonanz.enrich.hashing.LONG_PAIR", 12)  # both paths in one batch
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    texts = [
        "straße grüße 😀 👍🏽 中文字 ok",
        "a b c d e f g h",
        f"{'x' * 300} y {'z' * 7} {'é' * 40}",
        "ab abc abcd abcde abcdef abcdefg",
        "",
        "one",
    ]
    for batch in (texts, texts[::-1], texts[2:3]):
        assert (hasher.transform(batch)[0] != _reference((1, 2)).transform(batch)).nnz == 0
