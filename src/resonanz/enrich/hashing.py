"""Hash word uni- and bigrams of a batch in one tokenising pass, with per-process caches.

The columns are exactly those of scikit-learn's ``HashingVectorizer`` (same tokens, same
murmurhash, same bucket, same summed counts). Tokens never cross whitespace, so the batch is
split at whitespace in Arrow, which also finds the batch's distinct chunks: only those are
looked up in Python, and only chunks never seen before go through the token regex; each
chunk's token numbers and each token's column are remembered per process: social media
vocabulary is Zipf-distributed, so most are cache hits. Bigrams are not
remembered: real posts bring new ones with nearly every post (95,000 real tweets and
reviews: 634,000 distinct bigrams, 161,000 chunks, 83,000 tokens): a memo of them held up
to a million, about 100 MB, and still mostly missed. Each batch's distinct bigrams are hashed
in NumPy instead (:func:`resonanz.enrich.ngramhash.murmur3`, the hash scikit-learn uses),
from the tokens' UTF-8 bytes kept beside their numbers. The count matrices come from one
sort of (row, column) keys each, already in the canonical CSR order.

Memory stays bounded on an endless stream: the chunk memo is kept in two generations (a full
one is set aside and a fresh one started, entries found in the old one move over, what was
not used for a whole generation is dropped), and the token numbering starts over (a new
:attr:`WordHasher.generation`) past :data:`WORD_LIMIT` tokens.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from resonanz.enrich.ngramhash import murmur3

#: Distinct tokens numbered per process; the numbering and every memo start over past this.
WORD_LIMIT = 500_000
#: Chunks in one generation of the chunk memo (two generations are kept).
CHUNK_LIMIT = 200_000
#: Bigrams longer than this (UTF-8 bytes) are hashed one by one: the vectorised hash loops
#: once per 4 bytes of the longest.
LONG_PAIR = 64
#: Joins the texts of a batch: a lone symbol token between spaces, so no token crosses it.
_SEP_CHAR = "\x00"
_SEP = f" {_SEP_CHAR} "
#: A bigram's key is (first token's number << _SHIFT) | second token's number.
_SHIFT = 32
#: Bits a packed (first token, second token, row) key may use (an int64 stays positive).
PACK_BITS = 63


def _split(joined: str) -> tuple[list[str], np.ndarray]:
    """Split at whitespace in Arrow: (distinct chunks, each chunk's index among them).

    Arrow's whitespace is ``str.split``'s (the same for every code point), but it keeps an
    empty chunk at each end of the text, which holds no token.
    """
    pieces = pc.list_flatten(pc.utf8_split_whitespace(pa.array([joined], pa.large_string())))
    encoded = pc.dictionary_encode(pieces)
    return encoded.dictionary.to_pylist(), encoded.indices.to_numpy()


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
        self._old_chunks: dict[str, tuple[int, ...]] = {}
        # every token's UTF-8 bytes, after one space (a bigram's middle) at offset 0
        self._bytes = np.frombuffer(b" ", dtype=np.uint8)
        self._starts = np.zeros(0, dtype=np.int64)
        self._sizes = np.zeros(0, dtype=np.int64)
        self._attributes: dict[int, tuple[object, np.ndarray]] = {}

    @property
    def cached(self) -> dict[str, int]:
        """Return how many tokens and chunks the caches hold now."""
        return {"tokens": len(self._words), "chunks": len(self._chunks) + len(self._old_chunks)}

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
            self._keep_bytes(words[known:])

    def _keep_bytes(self, words: list[str]) -> None:
        """Append the UTF-8 bytes of newly numbered tokens."""
        encoded = [word.encode("utf-8", "surrogatepass") for word in words]
        sizes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        starts = len(self._bytes) + np.cumsum(sizes) - sizes
        added = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self._bytes = np.concatenate([self._bytes, added])
        self._starts = np.concatenate([self._starts, starts])
        self._sizes = np.concatenate([self._sizes, sizes])

    def token_numbers(self, joined: str) -> np.ndarray:
        """Return the number of every token of ``joined``, in order."""
        if len(self._words) > WORD_LIMIT:
            self._start_over()
        if len(self._chunks) > CHUNK_LIMIT:
            self._old_chunks, self._chunks = self._chunks, {}
        # only the batch's distinct chunks are looked up in Python, not every occurrence
        distinct, codes = _split(joined)
        self._remember(set(distinct))
        numbers = list(map(self._chunks.__getitem__, distinct))
        sizes = np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))
        flat = np.fromiter(chain.from_iterable(numbers), dtype=np.int64, count=int(sizes.sum()))
        # each chunk occurrence expands to its distinct chunk's run of token numbers
        counts = sizes[codes]
        ends = np.cumsum(counts)
        starts = np.cumsum(sizes) - sizes
        shift = np.repeat(starts[codes] - (ends - counts), counts)
        found: np.ndarray = flat[shift + np.arange(len(shift), dtype=np.int64)]
        return found

    def _remember(self, chunks: set[str]) -> None:
        """Make sure the current chunk memo holds every chunk of ``chunks``."""
        unseen = chunks.difference(self._chunks)
        if unseen and self._old_chunks:
            old = self._old_chunks
            self._chunks.update((c, old[c]) for c in unseen.intersection(old))
            unseen.difference_update(old)
        self._learn(unseen)

    def _pairs(
        self, first: np.ndarray, second: np.ndarray, rows: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, hashed column) of every bigram occurrence, each distinct one hashed once.

        The occurrences come back in another order (a matrix's counts do not depend on it).
        """
        if not len(rows):
            return rows, np.zeros(0, dtype=np.int32)
        token_bits = max(len(self._words), 1).bit_length()
        row_bits = max(int(rows[-1]), 1).bit_length()
        if 2 * token_bits + row_bits > PACK_BITS:  # too many to pack: find the distinct ones apart
            keys = (first << _SHIFT) | second
            unique, inverse = np.unique(keys, return_inverse=True)
            return rows, self._pair_columns(unique)[inverse.ravel()]
        # one sort of (first, second, row) packed keys groups each bigram's occurrences
        packed = (((first << token_bits) | second) << row_bits) | rows
        packed.sort()
        keys = packed >> row_bits
        firsts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        distinct = keys[firsts]
        shaped = ((distinct >> token_bits) << _SHIFT) | (distinct & ((1 << token_bits) - 1))
        repeats = np.diff(np.append(firsts, len(keys)))
        columns = np.repeat(self._pair_columns(shaped), repeats)
        return packed & ((1 << row_bits) - 1), columns

    def _pair_columns(self, keys: np.ndarray) -> np.ndarray:
        """Return the hashed column of each distinct bigram key ("first second")."""
        first, second = keys >> _SHIFT, keys & ((1 << _SHIFT) - 1)
        sizes = self._sizes[first] + 1 + self._sizes[second]
        columns = np.empty(len(keys), dtype=np.int32)
        long = sizes > LONG_PAIR
        if long.any():
            words = self._words
            pairs = zip(first[long].tolist(), second[long].tolist(), strict=True)
            text = (f"{words[a]} {words[b]}" for a, b in pairs)
            columns[long] = self._hash(text)
        short = ~long
        columns[short] = self._murmur_columns(first[short], second[short], sizes[short])
        return columns

    def _murmur_columns(
        self, first: np.ndarray, second: np.ndarray, sizes: np.ndarray
    ) -> np.ndarray:
        """Hash bigrams as scikit-learn does: its bytes' MurmurHash3, ``abs`` modulo columns."""
        if not len(sizes):
            return np.zeros(0, dtype=np.int32)
        # each bigram is three pieces of the byte table: first token, the space, second token
        piece_start = np.stack([self._starts[first], np.zeros_like(first), self._starts[second]])
        piece_size = np.stack([self._sizes[first], np.ones_like(first), self._sizes[second]])
        piece_start, piece_size = piece_start.T.ravel(), piece_size.T.ravel()
        offsets = np.cumsum(piece_size) - piece_size
        total = int(piece_size.sum())
        source = np.repeat(piece_start - offsets, piece_size) + np.arange(total)
        data = self._bytes[source].tobytes()
        hashed = murmur3(data, offsets[0::3], sizes)
        return (np.abs(hashed.astype(np.int64)) % self.n_features).astype(np.int32)

    def _matrix(self, keys: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Build the canonical count matrix of sorted ``row * n_features + column`` keys."""
        if not len(keys):
            return sp.csr_matrix((n_rows, self.n_features), dtype=np.float32)
        firsts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        data = np.diff(np.append(firsts, len(keys))).astype(np.float32)
        distinct = keys[firsts]
        if self.n_features & (self.n_features - 1):
            rows, columns = np.divmod(distinct, self.n_features)
        else:  # a power of two (as always in use): shifts, not divisions
            shift = self.n_features.bit_length() - 1
            rows, columns = distinct >> shift, distinct & (self.n_features - 1)
        indptr = np.zeros(n_rows + 1, dtype=np.int32)
        np.cumsum(np.bincount(rows, minlength=n_rows), out=indptr[1:])
        matrix = sp.csr_matrix(
            (data, columns.astype(np.int32), indptr), shape=(n_rows, self.n_features)
        )
        matrix.has_sorted_indices = True  # sorted keys: ascending columns, none repeated
        matrix.has_canonical_format = True
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
        # (row, column) occurrences as one sortable key each: sorted, they are the CSR layout
        word_keys = rows[word] * self.n_features + self._word_columns[ids[word]]
        # A bigram is two neighbouring tokens of the same text, hashed as "first second".
        pair = word[:-1] & word[1:]
        pair_rows, pair_columns = self._pairs(ids[:-1][pair], ids[1:][pair], rows[:-1][pair])
        pair_keys = pair_rows * self.n_features + pair_columns
        word_keys.sort()
        pair_keys.sort()
        unigrams = self._matrix(word_keys, len(texts))
        # the sum of two canonical matrices is canonical; counts are exact in float32
        counts = unigrams + self._matrix(pair_keys, len(texts))
        return counts, unigrams
