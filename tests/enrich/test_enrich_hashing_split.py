"""The word hasher's Arrow split and sort-built matrices: scikit-learn's columns exactly."""

from __future__ import annotations

import random
import re
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from resonanz.enrich.features import FAST_TOKEN_PATTERN, TOKEN_PATTERN
from resonanz.enrich.hashing import WordHasher

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
