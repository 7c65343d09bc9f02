"""Hash character n-grams of a batch word by word, with a per-process cache of words.

scikit-learn's ``char_wb`` analyzer takes the n-grams of each whitespace-separated word on its
own (the word padded with one space each side), so a text's count vector is the sum of its
words' count vectors. Each distinct word therefore goes through scikit-learn once per process;
a batch is then a sparse (texts × words) count matrix times the cached (words × columns) one,
L2-normalised by scikit-learn's own function; new words are hashed in bulk by
:mod:`resonanz.enrich.ngramhash`. The result equals ``HashingVectorizer`` with
``analyzer="char_wb"`` exactly: counts are small integers, so their sums are exact in float32,
and the normalisation sees the same values in the same order.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import chain

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from resonanz.enrich.ngramhash import word_counts

#: Distinct words remembered per process; the cache starts over past this.
CACHE_WORDS = 200_000
#: Stored (word, column) counts remembered per process; the cache starts over past this.
CACHE_ENTRIES = 8_000_000


class CharHasher:
    """Turn texts into L2-normalised hashed character n-gram features (``char_wb``)."""

    def __init__(self, n_features: int, ngram_range: tuple[int, int] = (2, 5)) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range
        self._lock = threading.Lock()
        self._start_over()

    def _start_over(self) -> None:
        self._number: dict[str, int] = {}
        # the cached word rows, as growing CSR arrays (int32: scipy keeps them without a copy)
        self._indptr = np.zeros(1, dtype=np.int32)
        self._indices = np.zeros(0, dtype=np.int32)
        self._data = np.zeros(0, dtype=np.float32)

    @property
    def cached_words(self) -> int:
        """Return how many distinct words the cache holds now."""
        return len(self._number)

    def _grow(self, needed: int) -> None:
        """Make room for ``needed`` entries, doubling (bounded) so appends stay amortised."""
        if needed <= len(self._indices):
            return
        capacity = max(needed, min(2 * len(self._indices), CACHE_ENTRIES))
        nnz = int(self._indptr[-1])
        indices = np.empty(capacity, dtype=np.int32)
        data = np.empty(capacity, dtype=np.float32)
        indices[:nnz] = self._indices[:nnz]
        data[:nnz] = self._data[:nnz]
        self._indices, self._data = indices, data

    def _learn(self, words: list[str]) -> None:
        """Count the n-grams of words not seen before and append their rows to the cache."""
        number = self._number
        for word in words:
            number[word] = len(number)
        rows = word_counts(words, self.n_features, self.ngram_range)
        nnz = int(self._indptr[-1])
        self._grow(nnz + rows.nnz)
        self._indices[nnz : nnz + rows.nnz] = rows.indices
        self._data[nnz : nnz + rows.nnz] = rows.data
        self._indptr = np.concatenate([self._indptr, (rows.indptr[1:] + nnz).astype(np.int32)])

    def _cached_rows(self, numbers: np.ndarray) -> sp.csr_matrix:
        """Return the cached count rows of the given word numbers, in that order."""
        nnz = int(self._indptr[-1])
        cached = sp.csr_matrix(
            (self._data[:nnz], self._indices[:nnz], self._indptr),
            shape=(len(self._indptr) - 1, self.n_features),
        )
        return cached[numbers]

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the raw n-gram counts of ``texts`` (canonical CSR, float32)."""
        split = [text.split() for text in texts]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        tokens = list(chain.from_iterable(split))
        distinct = list(dict.fromkeys(tokens))
        with self._lock:
            if len(self._number) > CACHE_WORDS or self._indptr[-1] > CACHE_ENTRIES:
                self._start_over()
            unseen = [word for word in distinct if word not in self._number]
            if unseen:
                self._learn(unseen)
            numbers = np.fromiter(map(self._number.__getitem__, distinct), np.int64, len(distinct))
            words = self._cached_rows(numbers)
        local = dict(zip(distinct, range(len(distinct)), strict=True))
        columns = np.fromiter(map(local.__getitem__, tokens), dtype=np.int32, count=len(tokens))
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        data = np.ones(len(tokens), dtype=np.float32)
        # a word repeated in a text is a repeated column here; the product adds both
        occurrences = sp.csr_matrix((data, columns, indptr), shape=(len(texts), len(distinct)))
        counts: sp.csr_matrix = (occurrences @ words).tocsr()
        counts.sort_indices()
        return counts

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return L2-normalised n-gram counts of ``texts``, as ``HashingVectorizer`` gives."""
        return normalize(self.counts(texts), norm="l2", copy=False)
