"""The word hasher (bounded memos, Arrow split, sort-built matrices): scikit-learn's columns."""

from __future__ import annotations

import random
import re
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from resonanz.enrich.features import FAST_TOKEN_PATTERN, TOKEN_PATTERN, normalise_all
from resonanz.enrich.hashing import WordHasher
from resonanz.scale.firehose import post_rows

N_FEATURES = 2**18
#: Every code point Python splits at, among them \x1c-\x1f, \x85, \xa0 and \u3000.
WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


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


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["a", "bb", "straße", "😀", "!", "x1", "é", ".,", "中文", "ok?", "\x00"]
    texts = ["", " ", "  lead", "trail  ", "\t\n", "one"]
    for _ in range(60):
        parts = rng.choices(pieces, k=rng.randint(0, 12))
        texts.append("".join(p + rng.choice([*WHITESPACE, "", " "]) for p in parts))
    return texts


def _check(hasher: WordHasher, texts: list[str]) -> None:
    counts, unigrams = hasher.transform(texts)
    for got, ngrams in ((counts, (1, 2)), (unigrams, (1, 1))):
        expected = _reference(ngrams).transform(texts)
        assert (got != expected).nnz == 0
        assert got.has_canonical_format
        assert got.indices.dtype == np.int32 and got.data.dtype == np.float32
        assert got.shape == expected.shape


def test_every_kind_of_whitespace_splits_as_python_does() -> None:
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    texts = [f"x{space}y{space}{space}z" for space in WHITESPACE]
    _check(hasher, texts)
    encoded = hasher.encode(texts)
    assert encoded is not None
    tokens = [hasher._words[i] for i in encoded.ids[~encoded.is_sep].tolist()]
    assert tokens == [t for text in texts for t in re.findall(FAST_TOKEN_PATTERN, text)]


def test_batches_of_odd_texts_hash_as_scikit_learn() -> None:
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    for seed in range(4):  # later batches reuse the memos of earlier ones
        texts = _texts(seed)
        _check(hasher, texts)
        _check(hasher, texts[:1])
        _check(hasher, [t for t in texts if "\x00" not in t])


def test_bigrams_too_many_to_pack_are_found_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
    texts = _texts(7)
    packed = hasher.transform(texts)
    monkeypatch.setattr("resonanz.enrich.hashing.PACK_BITS", 0)
    apart = hasher.transform(texts)
    for a, b in zip(packed, apart, strict=True):
        assert (a != b).nnz == 0
    _check(hasher, texts)
