"""The bundled fastText language model (lid.176.ftz) evaluated in NumPy, one cache entry per word.

fastText averages the vectors of every word's character n-grams and walks a Huffman tree of
176 labels. Here each distinct word's vector sum is computed once per process (words repeat
across posts), a batch's averages are one sparse product, and every label's log-probability
comes from one matrix product. The arithmetic rounds differently from fastText's, so
a text whose decision hangs on a margin smaller than :data:`MARGIN` (two labels, or a label
and the threshold, that close) is reported as undecided and left to fastText itself: the
labels given for every other text are exactly fastText's.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

MARGIN = 1e-3
#: Distinct words remembered per process; the cache starts over when it grows past this.
CACHE_LIMIT = 100_000
#: Texts scored together: the (texts × labels) arrays stay in the CPU cache.
CHUNK = 2048
_MAGIC, _VERSION = 793712314, 12
_HS_LOSS = 1
_KSUB = 256
#: Joins the texts of a batch: a word of its own that no text holds (else texts go one by one).
_SEP_CHAR = "\x01"
_SEP = f" {_SEP_CHAR} "


@cache
def _blas() -> ThreadpoolController:
    """Return the controller of the process's BLAS thread pools (built once: it is slow)."""
    return ThreadpoolController()


def _read(fh: BinaryIO, fmt: str) -> tuple[int | float, ...]:
    return struct.unpack("<" + fmt, fh.read(struct.calcsize("<" + fmt)))


def _matrix(fh: BinaryIO, quantized: bool) -> np.ndarray:
    """Read a dense or product-quantized matrix and return it decoded, in float64."""
    if not quantized:
        rows, cols = _read(fh, "qq")
        return np.frombuffer(fh.read(4 * int(rows) * int(cols)), "<f4").reshape(int(rows), -1)
    qnorm = fh.read(1) != b"\x00"
    rows, cols, size = (int(v) for v in _read(fh, "qqi"))
    codes = np.frombuffer(fh.read(size), np.uint8)
    dense = _decode(fh, codes, rows, cols)
    if qnorm:
        norms = _decode(fh, np.frombuffer(fh.read(rows), np.uint8), rows, 1)
        dense = dense * norms
    return dense


def _decode(fh: BinaryIO, codes: np.ndarray, rows: int, cols: int) -> np.ndarray:
    dim, nsubq, dsub, lastdsub = (int(v) for v in _read(fh, "iiii"))
    centroids = np.frombuffer(fh.read(4 * dim * _KSUB), "<f4").astype(np.float64)
    codes = codes.reshape(rows, nsubq)
    parts = []
    for m in range(nsubq):
        width = lastdsub if m == nsubq - 1 else dsub
        table = centroids[m * _KSUB * dsub : m * _KSUB * dsub + _KSUB * width]
        parts.append(table.reshape(_KSUB, width)[codes[:, m]])
    return np.hstack(parts)[:, :cols]


def _hash(data: bytes) -> int:
    """Return fastText's FNV-1a hash (bytes taken as signed chars)."""
    h = 2166136261
    for byte in data:
        h = ((h ^ (byte | 0xFFFFFF00 if byte > 127 else byte)) * 16777619) & 0xFFFFFFFF
    return h


def _tree_paths(counts: list[int]) -> tuple[sp.csr_matrix, sp.csr_matrix, int]:
    """Return (labels × nodes) incidence of right and of left turns of the Huffman tree, depth."""
    n = len(counts)
    count = [*counts, *([10**15] * (n - 1))]
    parent, right = [-1] * (2 * n - 1), [False] * (2 * n - 1)
    leaf, node = n - 1, n
    for i in range(n, 2 * n - 1):
        pick = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                pick.append(leaf)
                leaf -= 1
            else:
                pick.append(node)
                node += 1
        count[i] = count[pick[0]] + count[pick[1]]
        parent[pick[0]], parent[pick[1]] = i, i
        right[pick[1]] = True
    turns: dict[bool, tuple[list[int], list[int]]] = {True: ([], []), False: ([], [])}
    depth = 0
    for label in range(n):
        at, steps = label, 0
        while parent[at] != -1:
            rows, cols = turns[right[at]]
            rows.append(label)
            cols.append(parent[at] - n)
            at, steps = parent[at], steps + 1
        depth = max(depth, steps)
    shape = (n, n - 1)
    mats = [
        sp.csr_matrix((np.ones(len(r), np.float32), (r, c)), shape=shape) for r, c in turns.values()
    ]
    return mats[0], mats[1], depth


class LidModel:
    """fastText's supervised hierarchical-softmax prediction, for one ``.ftz`` file."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as fh:
            self._load(fh)
        self._start_over()

    def _load(self, fh: BinaryIO) -> None:
        magic, version = _read(fh, "ii")
        args = _read(fh, "12i")
        if (magic, version) != (_MAGIC, _VERSION) or args[6] != _HS_LOSS or args[5] != 1:
            raise ValueError("not a fastText v12 hierarchical-softmax unigram model")
        if int(args[9]) < 2:  # single-character n-grams follow other rules
            raise ValueError("models with single-character n-grams are not supported")
        self.minn, self.maxn, self.bucket = int(args[9]), int(args[10]), int(args[8])
        fh.read(8)  # the sampling threshold t
        size, nwords, _ = (int(v) for v in _read(fh, "iii"))
        _, prune_size = _read(fh, "qq")
        if int(prune_size) <= 0:
            raise ValueError("only quantized (pruned) models are supported")
        words: list[str] = []
        counts: list[int] = []
        for _ in range(size):
            raw = bytearray()
            while (c := fh.read(1)) != b"\x00":
                raw += c
            count, kind = _read(fh, "qb")
            words.append(raw.decode("utf-8", "surrogateescape"))
            if kind == 1:
                counts.append(int(count))
        self.labels = [w.removeprefix("__label__") for w in words[nwords:]]
        self.vocab = {w: i for i, w in enumerate(words[:nwords])}
        pairs = np.frombuffer(fh.read(8 * int(prune_size)), "<i4").reshape(-1, 2)
        self.prune = dict(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))
        self.nwords = nwords
        quant_input = fh.read(1) != b"\x00"
        self.input = _matrix(fh, quant_input)
        self.output = _matrix(fh, quant_input and fh.read(1) != b"\x00")
        self.right, self.left, depth = _tree_paths(counts)
        self.inner = np.ascontiguousarray(self.output[: len(self.labels) - 1])
        # a path's score may grow by log(1 + 1e-5) per step, which fastText's pruning ignores
        self.margin = max(MARGIN, 4e-5 * depth)

    def _ids(self, word: str) -> list[int]:
        """Return the input rows fastText sums for one word (itself if known, its n-grams)."""
        ids = [self.vocab[word]] if word in self.vocab else []
        data = f"<{word}>".encode()
        starts = [i for i, b in enumerate(data) if b & 0xC0 != 0x80] + [len(data)]
        for k in range(len(starts) - 1):
            for n in range(self.minn, self.maxn + 1):
                if k + n >= len(starts):
                    break
                bucket = _hash(data[starts[k] : starts[k + n]]) % self.bucket
                if bucket in self.prune:
                    ids.append(self.nwords + self.prune[bucket])
        return ids

    def _start_over(self) -> None:
        """Forget every word's vector (the table has grown past :data:`CACHE_LIMIT`)."""
        self._row: dict[str, int] = {}
        self._vectors = np.zeros((0, self.input.shape[1]), dtype=self.input.dtype)
        self._sizes = np.zeros(0, dtype=np.float64)

    def _rows_of(self, words: list[str]) -> np.ndarray:
        """Return each word's row in the word table, adding the vectors of unseen words."""
        unseen = list(set(words).difference(self._row))
        if unseen:
            ids = [[] if w.startswith("__label__") else self._ids(w) for w in unseen]
            vectors = np.array([self.input[i].sum(axis=0) for i in ids])
            self._vectors = np.concatenate([self._vectors, vectors.reshape(len(ids), -1)])
            self._sizes = np.concatenate([self._sizes, [len(i) for i in ids]])
            self._row.update(zip(unseen, range(len(self._row), len(self._vectors)), strict=True))
        return np.fromiter(map(self._row.__getitem__, words), np.int64, len(words))

    def _incidence(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return the (texts × word table rows) counts, splitting all texts at once."""
        joined = _SEP.join(texts)
        if len(texts) > 1 and joined.count(_SEP_CHAR) != len(texts) - 1:  # a text holds it
            parts = [self._incidence([text]) for text in texts]
            size = (1, len(self._row))  # the table grew while the texts were read
            rows = [sp.csr_matrix((p.data, p.indices, p.indptr), shape=size) for p in parts]
            return sp.vstack(rows, format="csr")
        ids = self._rows_of(joined.split())
        is_sep = ids == (self._row[_SEP_CHAR] if len(texts) > 1 else -1)
        rows = np.cumsum(is_sep)[~is_sep]
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        cols = ids[~is_sep]
        return sp.csr_matrix((np.ones(len(cols)), cols, indptr), (len(texts), len(self._row)))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (texts × labels) log-probabilities (-inf: texts without input).

        The texts must split into words at exactly the characters fastText splits them at.
        """
        if len(self._row) > CACHE_LIMIT:
            self._start_over()
        incidence = self._incidence(texts)
        total = incidence @ self._sizes
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            hidden = (incidence @ self._vectors) / total[:, None]
            # One row per inner node of the tree, one column per text. BLAS on one thread:
            # waking its worker threads for this small product costs more CPU time than it
            # saves. Its rounding, and float32 from here on, err far less than the margin on
            # every label that can count.
            with _blas().limit(limits=1, user_api="blas"):
                logit = (self.inner @ hidden.T).astype(np.float32)
            turn = 1.0 / (1.0 + np.exp(-logit))
            out = self.right @ np.log(turn + 1e-5) + self.left @ np.log(1.0 - turn + 1e-5)
        out[:, total == 0] = -np.inf
        return np.ascontiguousarray(out.T)

    def _close(self, score: np.ndarray, after: np.ndarray, limit: float) -> np.ndarray:
        """Mark the texts where a label might count, and its place or its count is not sure."""
        near_limit = np.abs(score - limit) <= self.margin
        tied = (score - after <= self.margin) & (after >= limit - self.margin)
        return (score >= limit - self.margin) & (near_limit | tied)  # type: ignore[no-any-return]

    def best(
        self, texts: Sequence[str], k: int, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return fastText's ``k`` best labels of each text as arrays.

        (texts × k) label numbers, best first; (texts × k) whether each is at or above
        ``threshold`` (those are the labels fastText gives); and whether the text is
        undecided (its labels must come from fastText itself).
        """
        if len(texts) > CHUNK:
            parts = [
                self.best(texts[i : i + CHUNK], k, threshold) for i in range(0, len(texts), CHUNK)
            ]
            return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))  # type: ignore[return-value]
        if not texts:
            return np.zeros((0, k), np.int64), np.zeros((0, k), bool), np.zeros(0, bool)
        scores = self.scores(texts)
        rows = np.arange(len(texts))
        order = np.empty((len(texts), k + 1), dtype=np.int64)
        best = np.empty((len(texts), k + 1), dtype=scores.dtype)
        for j in range(k + 1):  # k + 1 maxima are cheaper than a partition of every row
            order[:, j] = scores.argmax(axis=1)
            best[:, j] = scores[rows, order[:, j]]
            scores[rows, order[:, j]] = -np.inf
        limit = float(np.log(np.float32(threshold) + 1e-5))
        close = np.zeros(len(texts), dtype=bool)
        with np.errstate(invalid="ignore"):  # texts without input: -inf minus -inf
            for j in range(k):
                close |= self._close(best[:, j], best[:, j + 1], limit)
        return order[:, :k], best[:, :k] >= limit, close

    def top(self, texts: Sequence[str], k: int, threshold: float) -> list[list[str] | None]:
        """Return fastText's ``k`` best labels at or above ``threshold`` (None: undecided)."""
        order, counts, unsure = self.best(texts, k, threshold)
        out: list[list[str] | None] = []
        for undecided, row, valid in zip(
            unsure.tolist(), order.tolist(), counts.tolist(), strict=True
        ):
            if undecided:
                out.append(None)
            else:
                out.append([self.labels[j] for j, ok in zip(row, valid, strict=True) if ok])
        return out
