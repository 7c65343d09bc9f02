"""Hash word uni- and bigrams of a batch in one tokenising pass, with a column cache.

The columns are exactly those of scikit-learn's ``HashingVectorizer`` (same tokens, same
murmurhash, same bucket, same summed counts), but the whole batch is tokenised by one regex
call for both the uni+bigram and the unigram counts, tokens are numbered in C (Arrow's
dictionary encoding), and only distinct tokens and bigrams are hashed, each once per
process: social media vocabulary is Zipf-distributed, so most of them are cache hits.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

#: Distinct features remembered per process; the cache starts over when it grows past this.
CACHE_LIMIT = 1_000_000
#: Joins the texts of a batch: a lone symbol token between spaces, so no token crosses it.
_SEP_CHAR = "\x00"
_SEP = f" {_SEP_CHAR} "


class WordHasher:
    """Turn texts into hashed (uni+bigram, unigram) count matrices."""

    def __init__(self, token_pattern: str, n_features: int) -> None:
        self._tokens = re.compile(token_pattern)
        self._hasher = FeatureHasher(
            n_features=n_features, input_type="string", dtype=np.float32, alternate_sign=False
        )
        self.n_features = n_features
        self._columns: dict[str, int] = {}

    def _lookup(self, features: list[str]) -> np.ndarray:
        """Return the hashed column of each distinct feature (hashing only unseen ones)."""
        columns = self._columns
        unseen = [f for f in features if f not in columns]
        if len(columns) + len(unseen) > CACHE_LIMIT:
            columns.clear()
            unseen = features
        if unseen:
            hashed = self._hasher.transform([u] for u in unseen).tocsr()
            # one feature per row: the row's only stored index is its bucket
            columns.update(zip(unseen, hashed.indices.tolist(), strict=True))
        return np.fromiter(map(columns.__getitem__, features), np.int32, len(features))

    def _matrix(self, rows: np.ndarray, columns: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Build the canonical count matrix of (row, column) occurrences, rows ascending."""
        indptr = np.zeros(n_rows + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        data = np.ones(len(columns), dtype=np.float32)
        matrix = sp.csr_matrix((data, columns, indptr), shape=(n_rows, self.n_features))
        matrix.sum_duplicates()  # sorts the indices, as HashingVectorizer's output is
        return matrix

    def transform(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Return (uni+bigram counts, unigram counts) of ``texts``."""
        joined = _SEP.join(texts)
        if len(texts) > 1 and joined.count(_SEP_CHAR) != len(texts) - 1:
            # a text holds the separator itself: hash text by text
            parts = [self.transform([text]) for text in texts]
            counts = sp.vstack([p[0] for p in parts], format="csr")
            return counts, sp.vstack([p[1] for p in parts], format="csr")
        words, ids = encode_tokens(self._tokens.findall(joined))
        sep_id = words.index(_SEP_CHAR) if len(texts) > 1 else -1
        is_sep = ids == sep_id
        rows = np.cumsum(is_sep)
        word = ~is_sep
        word_cols = self._lookup(words)[ids[word]]
        word_rows = rows[word]
        # A bigram is two neighbouring tokens of the same text, hashed as "first second".
        pair = word[:-1] & word[1:]
        keys = ids[:-1][pair] * len(words) + ids[1:][pair]
        unique, inverse = np.unique(keys, return_inverse=True)
        firsts, seconds = np.divmod(unique, len(words))
        bigrams = [
            f"{words[a]} {words[b]}" for a, b in zip(firsts.tolist(), seconds.tolist(), strict=True)
        ]
        pair_cols = self._lookup(bigrams)[inverse.ravel()]
        pair_rows = rows[:-1][pair]
        unigrams = self._matrix(word_rows, word_cols.copy(), len(texts))
        order = np.argsort(np.concatenate([word_rows, pair_rows]), kind="stable")
        all_rows = np.concatenate([word_rows, pair_rows])[order]
        counts = self._matrix(all_rows, np.concatenate([word_cols, pair_cols])[order], len(texts))
        return counts, unigrams


def encode_tokens(tokens: list[str]) -> tuple[list[str], np.ndarray]:
    """Return the distinct tokens and each token's number among them."""
    try:
        encoded = pa.array(tokens, pa.string()).dictionary_encode()
    except UnicodeEncodeError:  # lone surrogates from a broken decoder: number them here
        numbers: dict[str, int] = {}
        ids = [numbers.setdefault(t, len(numbers)) for t in tokens]
        return list(numbers), np.asarray(ids, dtype=np.int64)
    words: list[str] = encoded.dictionary.to_pylist()
    return words, encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
