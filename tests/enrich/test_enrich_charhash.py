"""Character n-gram features equal scikit-learn's ``char_wb`` HashingVectorizer exactly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from resonanz.enrich.charhash import CharHasher
from resonanz.enrich.features import N_FEATURES, TextFeatures, normalise_all
from resonanz.enrich.ngramhash import murmur3, word_counts
from shared_datasets import shared_data

REFERENCE = HashingVectorizer(
    n_features=N_FEATURES,
    analyzer="char_wb",
    ngram_range=(2, 5),
    alternate_sign=False,
    lowercase=False,
    norm="l2",
    dtype=np.float32,
)

EDGE_CASES = [
    "",
    "   ",
    "\t\n\r\x0b\x0c",
    "a",
    "ab",
    "😀😀😀",
    "👍🏽 top",
    "tab\tsep\nnew\u00a0nbsp\u2003em\u3000ideo\x1cfs\x85nel",
    "  leading and trailing  ",
    "Grüße aus Köln, straße — 中文 ✓ ok!!!",
    "x" * 3000,
    "ha " * 2000,
    "word " * 20_000,
]


def _assert_same(new: sp.csr_matrix, ref: sp.csr_matrix) -> None:
    ref = ref.tocsr()
    ref.sort_indices()
    assert new.shape == ref.shape
    assert new.dtype == ref.dtype == np.float32
    assert np.array_equal(new.indptr, ref.indptr)
    assert np.array_equal(new.indices, ref.indices)
    assert np.array_equal(new.data, ref.data)


def test_edge_cases_equal_sklearn() -> None:
    _assert_same(CharHasher(N_FEATURES).transform(EDGE_CASES), REFERENCE.transform(EDGE_CASES))


def test_cached_words_give_the_same_rows() -> None:
    hasher = CharHasher(N_FEATURES)
    first = ["der zug kommt spät", "zug zug zug", "spät"]
    second = ["spät kommt der zug", "neue wörter hier", ""]
    hasher.transform(first)
    _assert_same(hasher.transform(second), REFERENCE.transform(second))
    _assert_same(hasher.transform(first), REFERENCE.transform(first))


def test_cache_starts_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("resonanz.enrich.charhash.CACHE_WORDS", 3)
    hasher = CharHasher(N_FEATURES)
    batches = [["a b c d e"], ["f g h"], ["a f z"]]
    for texts in batches:
        _assert_same(hasher.transform(texts), REFERENCE.transform(texts))
    assert hasher.cached_words <= 5


def test_murmur3_matches_sklearn() -> None:
    strings = ["", "a", "ab", "abc", "abcd", "abcde", "ä", " 😀 ", "x" * 19, "€€€€€€", "zug k"]
    data = b"".join(s.encode("utf-8") for s in strings)
    sizes = np.array([len(s.encode("utf-8")) for s in strings], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    expected = [murmurhash3_32(s.encode("utf-8"), seed=0) for s in strings]
    assert murmur3(data, starts, sizes).tolist() == expected


def test_word_counts_match_sklearn_per_word() -> None:
    words = ["a", "ab", "zug", "Köln", "😀", "👍🏽", "straße!!", "中文字", "y" * 50]
    unnormalised = clone(REFERENCE).set_params(norm=None)
    _assert_same(word_counts(words, N_FEATURES), unnormalised.transform(words))


def test_text_features_chars_equal_sklearn_on_normalised_texts() -> None:
    raw = ["Sooooo GOOD @acme https://x.y/z", "Die Bahn ist wieder zu spät!!! 😡", "  "]
    feats = TextFeatures(raw)
    _assert_same(feats.chars, REFERENCE.transform(normalise_all(raw)))
    assert TextFeatures([]).chars.shape == (0, N_FEATURES)


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


def _sb10k(folder: Path) -> list[str]:
    return [line.split("\t")[-1] for line in _lines(folder / "sb10k_corpus.tsv")]


def _tweeteval(folder: Path) -> list[str]:
    return _lines(folder / "val_text.txt")


def _goemotions(folder: Path) -> list[str]:
    return [line.split("\t")[0] for line in _lines(folder / "test.tsv")]


@pytest.mark.parametrize(
    ("name", "reader"),
    [("sb10k", _sb10k), ("tweeteval_sentiment", _tweeteval), ("goemotions", _goemotions)],
)
def test_real_texts_equal_sklearn(name: str, reader: Callable[[Path], list[str]]) -> None:
    texts = normalise_all(reader(shared_data(name))[:3000])
    hasher = CharHasher(N_FEATURES)
    _assert_same(hasher.transform(texts[:1500]), REFERENCE.transform(texts[:1500]))
    _assert_same(hasher.transform(texts), REFERENCE.transform(texts))
