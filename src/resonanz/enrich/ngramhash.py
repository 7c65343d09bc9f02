"""Hash the character n-grams of many words at once, exactly as scikit-learn's hasher does.

scikit-learn's ``char_wb`` analyzer builds each n-gram as a Python string and hashes its UTF-8
bytes with MurmurHash3 (x86, 32 bit, seed 0) into column ``abs(signed hash) % n_features``.
Here every n-gram of every word is one row of a byte matrix and the hash runs column by column
in NumPy, so a word costs a few array operations instead of dozens of Python calls.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_C1 = 0xCC9E2D51
_C2 = 0x1B873593
#: Longest n-gram in characters (20 UTF-8 bytes at most).
_MAX_CHARS = 5
#: Keeps the first 0..3 bytes of a little-endian word (the tail of a hashed string).
_TAIL_MASK = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF], dtype=np.uint32)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def _mix(k: np.ndarray) -> np.ndarray:
    return _rotl(k * np.uint32(_C1), 15) * np.uint32(_C2)


def _words_at(data: bytes) -> np.ndarray:
    """Return a (4, len/4 + 2) table: row r holds the little-endian uint32 words at offset r."""
    size = len(data) // 4 + 2
    padded = data + bytes(4 * size + 4 - len(data))
    return np.stack([np.frombuffer(padded[r : r + 4 * size], dtype="<u4") for r in range(4)])


def murmur3(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Return MurmurHash3_x86_32 (seed 0), as signed int32, of the slices of ``data``.

    Slice ``i`` is ``data[starts[i] : starts[i] + lengths[i]]``.
    """
    table = _words_at(data)
    flat, width = table.ravel(), table.shape[1]

    def word(at: np.ndarray) -> np.ndarray:
        """Return the 4 bytes at byte offsets ``at`` as a little-endian uint32."""
        found: np.ndarray = flat[(at % 4) * width + at // 4]
        return found

    h = np.zeros(len(lengths), dtype=np.uint32)
    whole = lengths // 4
    for k in range(int(whole.max(initial=0))):
        idx = np.flatnonzero(whole > k)
        k1 = _mix(word(starts[idx] + 4 * k))
        h[idx] = _rotl(h[idx] ^ k1, 13) * np.uint32(5) + np.uint32(0xE6546B64)
    # the tail (the bytes past the whole words) mixes to zero when empty: a no-op then
    h ^= _mix(word(starts + 4 * whole) & _TAIL_MASK[lengths - 4 * whole])
    h ^= lengths.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h.view(np.int32)


def _windows(
    words: Sequence[str], ngram_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bytes]:
    """Return (word, byte start, byte length) of every n-gram of the padded words, and bytes.

    A padded word (one space each side) of length L has the n-grams at offsets
    ``0 .. L - n`` for every ``n <= L``; scikit-learn stops at ``n == L`` likewise.
    """
    padded = [f" {word} " for word in words]
    joined = "".join(padded)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    size = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    offsets = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    word_of = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    end_of = np.cumsum(lengths)[word_of]
    position = np.arange(len(codes), dtype=np.int64)
    rows, starts, sizes = [], [], []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        at = np.flatnonzero(position + n <= end_of)
        rows.append(word_of[at])
        starts.append(offsets[at])
        sizes.append(offsets[at + n] - offsets[at])
    data = joined.encode("utf-8", "surrogatepass")
    return np.concatenate(rows), np.concatenate(starts), np.concatenate(sizes), data


def word_counts(
    words: Sequence[str], n_features: int, ngram_range: tuple[int, int] = (2, 5)
) -> sp.csr_matrix:
    """Return the (words × n_features) ``char_wb`` n-gram counts of whitespace-free words."""
    if ngram_range[1] > _MAX_CHARS:
        raise ValueError(f"n-grams up to {_MAX_CHARS} characters; lower ngram_range")
    rows, starts, sizes, data = _windows(words, ngram_range)
    hashed = murmur3(data, starts, sizes)
    columns = np.abs(hashed.astype(np.int64)) % n_features
    ones = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((ones, (rows, columns)), shape=(len(words), n_features))
    matrix.sum_duplicates()
    return matrix
