"""The bundled fastText language model (lid.176.ftz) evaluated in NumPy, one cache entry per word.

fastText averages the vectors of every word's character n-grams and walks a Huffman tree of
176 labels. Here the vector sums of a batch's new words are computed together
(:mod:`resonanz.enrich.lidwords`) and kept in a two-generation cache (words repeat across
posts), a batch's averages are one sparse product, and every label's log-probability
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
from typing import BinaryIO, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

from resonanz.enrich.lidsure import SureTop
from resonanz.enrich.lidwords import NgramRows, WordTable

MARGIN = 1e-3
#: Distinct words in one generation of the word cache (two generations are kept).
CACHE_LIMIT = 100_000
#: Texts as a list, or already in an Arrow string array.
Texts: TypeAlias = Sequence[str] | pa.Array
#: Texts scored together. Larger chunks share each step's fixed cost among more texts: per
#: text, 2,048 took 4.5 µs, 8,192 3.7 µs and 20,000 3.4 µs, with transient peaks of 2.3,
#: 7.4 and 17.5 MiB.
CHUNK = 8192
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


def _huffman(counts: list[int]) -> tuple[list[int], list[bool]]:
    """Return each node's parent (-1: the root) and whether it is its parent's right child."""
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
    return parent, right


def _tree_paths(counts: list[int]) -> tuple[sp.csr_matrix, sp.csr_matrix, int]:
    """Return (labels × nodes) incidence of right and of left turns of the Huffman tree, depth."""
    n = len(counts)
    parent, right = _huffman(counts)
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
        sizes = (self.nwords, self.bucket, self.minn, self.maxn)
        self._ngrams = NgramRows(self.vocab, self.prune, sizes, self.input)
        self._table = WordTable(self._ngrams.vectors, self.input.shape[1], CACHE_LIMIT)

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
        self.depth = depth
        self._sure = SureTop(self, *_huffman(counts))

    def _ids(self, word: str) -> list[int]:
        """Return the input rows fastText sums for one word (itself if known, its n-grams).

        The definition, one word at a time: :class:`NgramRows` computes the same for many.
        """
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

    def _rows_of(self, words: list[str]) -> np.ndarray:
        """Return each word's row in the word table, adding the vectors of unseen words."""
        return self._table.rows(words)

    def _incidence(self, texts: Texts) -> sp.csr_matrix:
        """Return the (texts × word table rows) counts, in each text's word order.

        Arrow splits and numbers the words of all texts in C; only the batch's distinct words
        are looked up in Python. The texts split at ASCII whitespace only (as the callers
        ensure), where Arrow's split and ``str.split`` agree. They may come as an Arrow array.
        """
        if isinstance(texts, pa.Array):
            array = texts
        else:
            try:
                array = pa.array(texts, pa.string())
            except (pa.ArrowException, UnicodeEncodeError):  # unencodable: split in Python
                return self._incidence_split(texts)
        words = pc.ascii_split_whitespace(array)
        flat, parents = pc.list_flatten(words), pc.list_parent_indices(words)
        keep = pc.greater(pc.binary_length(flat), 0)  # Arrow keeps empty edge words
        encoded = pc.dictionary_encode(flat.filter(keep))
        table_rows = self._rows_of(encoded.dictionary.to_pylist())
        cols = table_rows[encoded.indices.to_numpy(zero_copy_only=False)]
        rows = parents.filter(keep).to_numpy(zero_copy_only=False)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        return sp.csr_matrix((np.ones(len(cols)), cols, indptr), (len(texts), len(self._table)))

    def _incidence_split(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return :meth:`_incidence`, splitting all texts at once in Python."""
        joined = _SEP.join(texts)
        if len(texts) > 1 and joined.count(_SEP_CHAR) != len(texts) - 1:  # a text holds it
            parts = [self._incidence_split([text]) for text in texts]
            size = (1, len(self._table))  # the table grew while the texts were read
            rows = [sp.csr_matrix((p.data, p.indices, p.indptr), shape=size) for p in parts]
            return sp.vstack(rows, format="csr")
        ids = self._rows_of(joined.split())
        is_sep = ids == (self._rows_of([_SEP_CHAR])[0] if len(texts) > 1 else -1)
        rows = np.cumsum(is_sep)[~is_sep]
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        cols = ids[~is_sep]
        return sp.csr_matrix((np.ones(len(cols)), cols, indptr), (len(texts), len(self._table)))

    def hidden(self, texts: Texts) -> tuple[np.ndarray, np.ndarray]:
        """Return each text's averaged input vector and how many input rows it summed.

        The texts must split into words at exactly the characters fastText splits them at.
        """
        self._table.age()
        incidence = self._incidence(texts)
        total = incidence @ self._table.sizes
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            hidden = (incidence @ self._table.vectors) / total[:, None]
        return hidden, total

    def logits(self, hidden: np.ndarray, nodes: np.ndarray | None = None) -> np.ndarray:
        """Return the (inner nodes × texts) logits of the tree's nodes (``nodes``: only those)."""
        inner = self.inner if nodes is None else self.inner[nodes]
        # One row per inner node, one column per text. BLAS on one thread: waking its worker
        # threads for this small product costs more CPU time than it saves. Its rounding, and
        # float32 from here on, err far less than the margin on every label that can count.
        with (
            np.errstate(divide="ignore", invalid="ignore", over="ignore"),
            _blas().limit(limits=1, user_api="blas"),
        ):
            return (inner @ hidden.T).astype(np.float32)  # type: ignore[no-any-return]

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (texts × labels) log-probabilities (-inf: texts without input).

        The texts must split into words at exactly the characters fastText splits them at.
        """
        return self._scores(*self.hidden(texts))

    def _scores(self, hidden: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Return :meth:`scores` of texts given by their :meth:`hidden` vectors."""
        logit = self.logits(hidden)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
        self, texts: Texts, k: int, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return fastText's ``k`` best labels of each text as arrays.

        (texts × k) label numbers, best first; (texts × k) whether each is at or above
        ``threshold`` (those are the labels fastText gives; the numbers of the others may
        repeat the first); and whether the text is undecided (its labels must come from
        fastText itself).
        """
        if len(texts) > CHUNK:
            parts = [
                self.best(texts[i : i + CHUNK], k, threshold) for i in range(0, len(texts), CHUNK)
            ]
            return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))  # type: ignore[return-value]
        if not texts:
            return np.zeros((0, k), np.int64), np.zeros((0, k), bool), np.zeros(0, bool)
        limit = float(np.log(np.float32(threshold) + 1e-5))
        hidden, total = self.hidden(texts)
        sure = self._sure.labels(hidden, total, limit)
        order = np.repeat(sure[:, None], k, axis=1)
        valid = np.zeros((len(texts), k), dtype=bool)
        valid[:, 0] = True
        close = np.zeros(len(texts), dtype=bool)
        rest = np.flatnonzero(sure < 0)
        if len(rest):
            ranked = self._ranked(self._scores(hidden[rest], total[rest]), k, limit)
            order[rest], valid[rest], close[rest] = ranked
        return order, valid, close

    def _ranked(
        self, scores: np.ndarray, k: int, limit: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return :meth:`best` of texts given by their (texts × labels) scores (overwritten)."""
        rows = np.arange(len(scores))
        order = np.empty((len(scores), k + 1), dtype=np.int64)
        best = np.empty((len(scores), k + 1), dtype=scores.dtype)
        for j in range(k + 1):  # k + 1 maxima are cheaper than a partition of every row
            order[:, j] = scores.argmax(axis=1)
            best[:, j] = scores[rows, order[:, j]]
            scores[rows, order[:, j]] = -np.inf
        close = np.zeros(len(scores), dtype=bool)
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
