"""Sum fastText's input rows of many new words at once, and remember them in two generations.

fastText represents a word by its own row (when it is in the dictionary) plus one row per
character n-gram of ``<word>`` (``minn`` to ``maxn`` characters) whose FNV-1a hash, modulo the
bucket count, survived the model's pruning. Here every n-gram of every new word of a batch is
one window into the batch's UTF-8 bytes, and the hash runs byte by byte over all windows at
once in NumPy. The rows are summed in fastText's order (the word, then n-grams by start and
length), so each word's vector is the very sum the one-word-at-a-time definition gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

FNV_OFFSET = 2166136261
FNV_PRIME = 16777619


def fnv1a(data: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return fastText's FNV-1a hash (uint32) of every slice ``data[start : start + length]``.

    ``data`` holds bytes (uint8). fastText XORs each byte as a signed char widened to
    32 bits, so bytes from 0x80 on flip the upper 24 bits too.
    """
    signed = data.view(np.int8).astype(np.int32).view(np.uint32)
    # longest windows first: the ones still hashing at byte j are always a prefix
    order = np.argsort(-lengths, kind="stable")
    at, size = starts[order], lengths[order]
    # how many windows are longer than j bytes, for every byte j of the longest
    live = np.searchsorted(-size, -np.arange(int(size.max(initial=0))), side="left")
    h = np.full(len(size), FNV_OFFSET, dtype=np.uint32)
    prime = np.uint32(FNV_PRIME)
    for j, count in enumerate(live.tolist()):
        h[:count] = (h[:count] ^ signed[at[:count] + j]) * prime
    out = np.empty_like(h)
    out[order] = h
    return out


def _windows(words: Sequence[str], minn: int, maxn: int) -> tuple[np.ndarray, ...]:
    """Return (word, byte start, byte length) of every n-gram, and the bytes they index.

    The n-grams come word by word, then by start, then by length, as fastText loops. A word
    may hold ``<`` or ``>`` itself: words are told apart by their lengths, not by those.
    """
    joined = "".join(f"<{word}>" for word in words)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
    size = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    offsets = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words)) + 2
    word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
    end = np.cumsum(lengths)[word_of]  # each character's word's end, in characters
    spans = np.arange(minn, maxn + 1)
    # (characters × lengths), row-major: start-major, length-minor
    valid = np.arange(len(codes))[:, None] + spans[None, :] <= end[:, None]
    char, span = np.nonzero(valid)
    start = offsets[char]
    length = offsets[char + spans[span]] - start
    data = np.frombuffer(joined.encode(), dtype=np.uint8)
    return word_of[char], start, length, data


class NgramRows:
    """Compute the input rows and their sums for batches of words, as fastText would."""

    def __init__(
        self,
        vocab: Mapping[str, int],
        prune: Mapping[int, int],
        sizes: tuple[int, int, int, int],
        matrix: np.ndarray,
    ) -> None:
        """Keep the dictionary, the pruned buckets and ``(nwords, bucket, minn, maxn)``."""
        self.vocab = vocab
        self.nwords, self.bucket, self.minn, self.maxn = sizes
        self.input = matrix
        # bucket -> pruned row (-1: pruned away); one lookup for all n-grams of a batch
        self._pruned = np.full(self.bucket, -1, dtype=np.int32)
        self._pruned[np.fromiter(prune.keys(), np.int64)] = np.fromiter(prune.values(), np.int32)

    def ids(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return every word's input rows, concatenated in order, and how many each has.

        Words starting with ``__label__`` have none (fastText reads them as labels).
        """
        plain = [w for w in words if not w.startswith("__label__")]
        plain_index = np.array(
            [i for i, w in enumerate(words) if not w.startswith("__label__")], dtype=np.int64
        )
        owner, start, length, data = _windows(plain, self.minn, self.maxn)
        bucket = fnv1a(data, start, length) % np.uint32(self.bucket)
        row = self._pruned[bucket]
        keep = row >= 0
        gram_owner, gram_row = owner[keep], row[keep] + self.nwords
        known = [(i, self.vocab[w]) for i, w in enumerate(plain) if w in self.vocab]
        own = np.array(known, dtype=np.int64).reshape(-1, 2)
        # a word's own row comes first: stable sort of (own rows, then n-gram rows) by word
        owners = np.concatenate([own[:, 0], gram_owner])
        rows = np.concatenate([own[:, 1], gram_row])
        order = np.argsort(owners, kind="stable")
        counts = np.zeros(len(words), dtype=np.int64)
        counts[plain_index] = np.bincount(owners, minlength=len(plain))
        return rows[order], counts

    def vectors(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return each word's sum of input rows and its row count.

        Each sum adds the rows one after another in fastText's order, as fastText does.
        """
        rows, counts = self.ids(words)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        # most rows first: the words still adding at step j are always a prefix
        order = np.argsort(-counts, kind="stable")
        at, size = first[order], counts[order]
        live = np.searchsorted(-size, -np.arange(int(size.max(initial=0))), side="left")
        sums = np.zeros((len(words), self.input.shape[1]), dtype=self.input.dtype)
        for j, count in enumerate(live.tolist()):
            sums[:count] += self.input[rows[at[:count] + j]]
        out = np.empty_like(sums)
        out[order] = sums
        return out, counts.astype(np.float64)


class WordTable:
    """Number words and hold their vectors, in two generations of bounded size.

    When the current generation holds more than ``limit`` words it is set aside and a new
    one started; a word found in the set-aside generation moves over with its vector, and
    whatever went unused for a whole generation is dropped. A stream thus never learns its
    whole vocabulary again at once, and memory stays bounded. Row numbers refer to the
    current generation: they change only in :meth:`age`.
    """

    def __init__(
        self, compute: Callable[[list[str]], tuple[np.ndarray, np.ndarray]], dim: int, limit: int
    ) -> None:
        """Take the function giving new words' (vectors, row counts), the width and the limit."""
        self._compute = compute
        self._dim = dim
        self.limit = limit
        self._row: dict[str, int] = {}
        self._vectors = np.zeros((1024, dim), dtype=np.float64)
        self._sizes = np.zeros(1024, dtype=np.float64)
        self._old: tuple[dict[str, int], np.ndarray, np.ndarray] = ({}, self._vectors, self._sizes)

    def __len__(self) -> int:
        return len(self._row)

    @property
    def vectors(self) -> np.ndarray:
        """Return the (rows × dim) vector sums of the current generation."""
        return self._vectors[: len(self._row)]

    @property
    def sizes(self) -> np.ndarray:
        """Return how many input rows each word of the current generation sums."""
        return self._sizes[: len(self._row)]

    def age(self) -> None:
        """Set the current generation aside when it is full (call between batches only)."""
        if len(self._row) > self.limit:
            self._old = (self._row, self.vectors, self.sizes)
            self._row = {}
            self._vectors = np.zeros((1024, self._dim), dtype=np.float64)
            self._sizes = np.zeros(1024, dtype=np.float64)

    def rows(self, words: list[str]) -> np.ndarray:
        """Return each word's row, adding the words the current generation lacks."""
        missing = list(set(words).difference(self._row))
        if missing:
            old_row, old_vectors, old_sizes = self._old
            kept = [w for w in missing if w in old_row]
            new = [w for w in missing if w not in old_row]
            where = np.fromiter(map(old_row.__getitem__, kept), np.int64, len(kept))
            vectors, sizes = self._compute(new)
            self._append(
                [*kept, *new],
                np.concatenate([old_vectors[where], vectors]),
                np.concatenate([old_sizes[where], sizes]),
            )
        return np.fromiter(map(self._row.__getitem__, words), np.int64, len(words))

    def _append(self, words: list[str], vectors: np.ndarray, sizes: np.ndarray) -> None:
        """Add words with their vectors at the end of the current generation."""
        at, end = len(self._row), len(self._row) + len(words)
        if end > len(self._sizes):  # grow by doubling: appends cost amortised O(1)
            capacity = max(end, 2 * len(self._sizes))
            grown = np.zeros((capacity, self._dim), dtype=np.float64)
            grown[:at] = self._vectors[:at]
            grown_sizes = np.zeros(capacity, dtype=np.float64)
            grown_sizes[:at] = self._sizes[:at]
            self._vectors, self._sizes = grown, grown_sizes
        self._vectors[at:end] = vectors
        self._sizes[at:end] = sizes
        self._row.update(zip(words, range(at, end), strict=True))
