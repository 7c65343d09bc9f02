"""Hash word uni- and bigrams of a batch in one tokenising pass, with per-process caches.

The columns are exactly those of scikit-learn's ``HashingVectorizer`` (same tokens, same
murmurhash, same bucket, same summed counts). Tokens never cross whitespace, so the batch is
split at whitespace in C and only distinct chunks never seen before go through the token
regex; each chunk's token numbers, each token's column and each bigram's column are
remembered per process: social media vocabulary is Zipf-distributed, so most are cache hits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

#: Distinct chunks, tokens or bigrams remembered per process; all start over past this.
CACHE_LIMIT = 1_000_000
#: Joins the texts of a batch: a lone symbol token between spaces, so no token crosses it.
_SEP_CHAR = "\x00"
_SEP = f" {_SEP_CHAR} "
#: A bigram's key is (first token's number << _SHIFT) | second token's number.
_SHIFT = 32


class Encoded(NamedTuple):
    """A batch's token numbers, where its texts end, and the numbering they belong to."""

    ids: np.ndarray
    is_sep: np.ndarray
    generation: int


class WordHasher:
    """Turn texts into hashed (uni+bigram, unigram) count matrices."""

    def __init__(self, token_pattern: str, n_features: int) -> None:
        self._tokens = re.compile(token_pattern)
        self._hasher = FeatureHasher(
            n_features=n_features, input_type="string", dtype=np.float32, alternate_sign=False
        )
        self.n_features = n_features
        self._start_over()

    def _start_over(self) -> None:
        #: Token numbers of one generation mean nothing in another.
        self.generation = getattr(self, "generation", -1) + 1
        self._words: list[str] = []
        self._number: dict[str, int] = {}
        self._word_columns = np.zeros(0, dtype=np.int32)
        self._chunks: dict[str, tuple[int, ...]] = {}
        self._pairs: dict[int, int] = {}
        self._attributes: dict[int, tuple[object, np.ndarray]] = {}

    def attribute(self, key: object, values: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Return ``values(tokens)`` of every numbered token, computed once per token.

        ``key`` names the attribute (it is kept alive, so its id stays unique).
        """
        found = self._attributes.get(id(key))
        array = found[1] if found else values([])
        if len(array) < len(self._words):
            array = np.concatenate([array, values(self._words[len(array) :])])
            self._attributes[id(key)] = (key, array)
        return array

    def _hash(self, features: Iterable[str]) -> list[int]:
        """Return the hashed column of each feature."""
        hashed = self._hasher.transform([f] for f in features).tocsr()
        # one feature per row: the row's only stored index is its bucket
        return hashed.indices.tolist()  # type: ignore[no-any-return]

    def _learn(self, chunks: Iterable[str]) -> None:
        """Tokenise chunks not seen before, numbering and hashing their new tokens."""
        number, words = self._number, self._words
        known = len(words)
        for chunk in chunks:
            numbers = []
            for token in self._tokens.findall(chunk):
                if token not in number:
                    number[token] = len(words)
                    words.append(token)
                numbers.append(number[token])
            self._chunks[chunk] = tuple(numbers)
        if len(words) > known:
            fresh = np.asarray(self._hash(words[known:]), dtype=np.int32)
            self._word_columns = np.concatenate([self._word_columns, fresh])

    def token_numbers(self, joined: str) -> np.ndarray:
        """Return the number of every token of ``joined``, in order."""
        if max(len(self._words), len(self._chunks), len(self._pairs)) > CACHE_LIMIT:
            self._start_over()
        chunks = joined.split()
        self._learn(set(chunks).difference(self._chunks))
        found = chain.from_iterable(map(self._chunks.__getitem__, chunks))
        return np.fromiter(found, dtype=np.int64)

    def _pair_columns(self, keys: np.ndarray) -> np.ndarray:
        """Return the hashed column of each distinct bigram key."""
        pairs, words = self._pairs, self._words
        listed = keys.tolist()
        unseen = [k for k in listed if k not in pairs]
        if unseen:
            mask = (1 << _SHIFT) - 1
            text = (f"{words[k >> _SHIFT]} {words[k & mask]}" for k in unseen)
            pairs.update(zip(unseen, self._hash(text), strict=True))
        return np.fromiter(map(pairs.__getitem__, listed), np.int32, len(listed))

    def _matrix(self, rows: np.ndarray, columns: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Build the canonical count matrix of (row, column) occurrences, rows ascending."""
        indptr = np.zeros(n_rows + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        data = np.ones(len(columns), dtype=np.float32)
        matrix = sp.csr_matrix((data, columns, indptr), shape=(n_rows, self.n_features))
        matrix.sum_duplicates()  # sorts the indices, as HashingVectorizer's output is
        return matrix

    def encode(self, texts: Sequence[str]) -> Encoded | None:
        """Return the token numbers of the batch and where texts end (None: a text holds it)."""
        joined = _SEP.join(texts)
        if len(texts) > 1 and joined.count(_SEP_CHAR) != len(texts) - 1:
            return None
        ids = self.token_numbers(joined)
        is_sep = ids == self._number.get(_SEP_CHAR, -1) if len(texts) > 1 else ids < 0
        return Encoded(ids, is_sep, self.generation)

    def transform(
        self, texts: Sequence[str], encoded: Encoded | None = None
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Return (uni+bigram counts, unigram counts) of ``texts`` (``encoded``: its encoding)."""
        if encoded is None or encoded.generation != self.generation:
            encoded = self.encode(texts)
        if encoded is None:
            # a text holds the separator itself: hash text by text
            parts = [self.transform([text]) for text in texts]
            counts = sp.vstack([p[0] for p in parts], format="csr")
            return counts, sp.vstack([p[1] for p in parts], format="csr")
        ids, is_sep = encoded.ids, encoded.is_sep
        rows = np.cumsum(is_sep)
        word = ~is_sep
        word_cols = self._word_columns[ids[word]]
        word_rows = rows[word]
        # A bigram is two neighbouring tokens of the same text, hashed as "first second".
        pair = word[:-1] & word[1:]
        keys = (ids[:-1][pair] << _SHIFT) | ids[1:][pair]
        unique, inverse = np.unique(keys, return_inverse=True)
        pair_cols = self._pair_columns(unique)[inverse.ravel()]
        pair_rows = rows[:-1][pair]
        unigrams = self._matrix(word_rows, word_cols.copy(), len(texts))
        order = np.argsort(np.concatenate([word_rows, pair_rows]), kind="stable")
        all_rows = np.concatenate([word_rows, pair_rows])[order]
        counts = self._matrix(all_rows, np.concatenate([word_cols, pair_cols])[order], len(texts))
        return counts, unigrams
