"""Turn a batch of texts into shared features, once, for every linear head.

Word uni- and bigrams are hashed into one fixed space, so models need no vocabulary and
every head reads the same sparse matrix; lexicon scores are sparse dot products over it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from resonanz.enrich.charhash import CharHasher
from resonanz.enrich.hashing import Encoded, WordHasher

#: Texts longer than this are cut before feature extraction (a 100 kB post must stay cheap).
MAX_CHARS = 2000
N_FEATURES = 2**20
TOKEN_PATTERN = r"(?u)\b\w+\b|[^\w\s]"
#: The same tokens as TOKEN_PATTERN, found several times faster: a greedy run of word
#: characters always starts and ends at a word boundary, so the two ``\b`` never fail.
FAST_TOKEN_PATTERN = r"\w+|[^\w\s]"

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(\w)\1{2,}")
#: Joins a batch's texts for one pass of each regex: whitespace ends URLs and mentions, and no
#: text holds the NUL (else texts are normalised one by one).
_JOIN = "\n\x00\n"

#: Word uni+bigram and unigram counts in HashingVectorizer's columns, one pass per text.
_HASHER = WordHasher(FAST_TOKEN_PATTERN, N_FEATURES)
_UNIGRAMS = HashingVectorizer(
    n_features=N_FEATURES,
    ngram_range=(1, 1),
    alternate_sign=False,
    token_pattern=TOKEN_PATTERN,
    lowercase=False,
    norm=None,
    dtype=np.float32,
)
#: Character 2–5-grams inside words (scikit-learn's ``char_wb``), L2-normalised.
_CHARS = CharHasher(N_FEATURES, ngram_range=(2, 5))


_WORD = re.compile(r"\w")
_IS_WORD = "is a word"


def _is_word(tokens: list[str]) -> np.ndarray:
    """Return whether each token is a run of word characters (not a lone symbol)."""
    return np.fromiter((_WORD.match(t) is not None for t in tokens), bool, len(tokens))


def normalise(text: str) -> str:
    """Return the text as the models see it: cut, lower-cased, URLs and mentions masked.

    >>> normalise("Sooooo GOOD @acme https://x.y/z")
    'soo good @user httpurl'
    """
    text = text[:MAX_CHARS].lower()
    text = _URL.sub("httpurl", text)
    text = _MENTION.sub("@user", text)
    return _REPEAT.sub(r"\1\1", text)


def normalise_all(texts: Sequence[str]) -> list[str]:
    """Return :func:`normalise` of every text, with one pass of each step over the whole batch.

    >>> normalise_all(["Sooooo GOOD", "@acme https://x.y/z"])
    ['soo good', '@user httpurl']
    """
    cut = [text[:MAX_CHARS] for text in texts]
    joined = _JOIN.join(cut)
    if len(cut) < 2 or joined.count("\x00") != len(cut) - 1:
        return [normalise(text) for text in texts]
    joined = _MENTION.sub("@user", _mask_urls(joined.lower()))
    out = joined.split(_JOIN)
    for i in _with_triples(joined, out):
        out[i] = _REPEAT.sub(r"\1\1", out[i])
    return out


def _mask_urls(text: str) -> str:
    """Return ``_URL.sub("httpurl", text)``, trying the pattern only where a URL can start.

    Every match begins with "http" or "www."; finding those with ``str.find`` and matching
    there, left to right, gives the same matches as the regex trying every position.
    """
    starts = sorted(occurrences(text, "http") + occurrences(text, "www."))
    parts: list[str] = []
    done = 0
    for start in starts:
        if start < done:
            continue
        found = _URL.match(text, start)
        if found is not None:
            parts += (text[done:start], "httpurl")
            done = found.end()
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def occurrences(text: str, part: str) -> list[int]:
    """Return where ``part`` starts in ``text`` (overlaps included).

    >>> occurrences("aaa", "aa")
    [0, 1]
    """
    out: list[int] = []
    at = text.find(part)
    while at >= 0:
        out.append(at)
        at = text.find(part, at + 1)
    return out


def _with_triples(joined: str, parts: list[str]) -> list[int]:
    """Return the positions of the parts holding one character three times in a row.

    Only those can change under the repeat rule, and scanning code points in NumPy is many
    times cheaper than running the back-referencing regex over every text.
    """
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    triple = np.flatnonzero((codes[:-2] == codes[1:-1]) & (codes[1:-1] == codes[2:]))
    if not triple.size:
        return []
    starts = np.cumsum([0] + [len(part) + len(_JOIN) for part in parts[:-1]])
    return np.unique(np.searchsorted(starts, triple, side="right") - 1).tolist()  # type: ignore[no-any-return]


def word_index(words: Sequence[str]) -> np.ndarray:
    """Return the hashed column of each single word (as the feature space stores it)."""
    matrix = _UNIGRAMS.transform([normalise(w) for w in words]).tocsr()
    cols = np.full(len(words), -1, dtype=np.int64)
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if end - start == 1:
            cols[row] = matrix.indices[start]
    return cols


def lexicon_matrix(columns: Sequence[dict[str, float]]) -> sp.csr_matrix:
    """Build an (N_FEATURES × len(columns)) matrix of word weights, one column per lexicon."""
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for j, weights in enumerate(columns):
        words = list(weights)
        index = word_index(words)
        keep = index >= 0
        rows.append(index[keep])
        cols.append(np.full(int(keep.sum()), j, dtype=np.int64))
        vals.append(np.asarray([weights[w] for w in words], dtype=np.float32)[keep])
    matrix = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(N_FEATURES, len(columns)),
        dtype=np.float32,
    )
    return matrix.tocsr()


class TextFeatures:
    """The features of one batch of texts, each computed on first use."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.raw = list(texts)

    @cached_property
    def texts(self) -> list[str]:
        """Normalised texts."""
        return normalise_all(self.raw)

    @cached_property
    def encoded(self) -> Encoded | None:
        """Every token's number and where texts end (None: a text holds the separator)."""
        return _HASHER.encode(self.texts) if self.texts else None

    def word_attribute(
        self, key: object, values: Callable[[list[str]], np.ndarray]
    ) -> np.ndarray | None:
        """Return ``values`` of every word token (``\\w`` runs) of the batch, in order.

        Each distinct token is looked at once per process. None where :attr:`encoded` is.
        """
        encoded = self.encoded
        if encoded is None or encoded.generation != _HASHER.generation:
            return None  # the numbering started over since (another batch came between)
        ids, is_sep = encoded.ids, encoded.is_sep
        word = _HASHER.attribute(_IS_WORD, _is_word)[ids] & ~is_sep
        found: np.ndarray = _HASHER.attribute(key, values)[ids[word]]
        return found

    def tokens(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Return the numbers of the tokens of ``rows`` (ascending), in order, and their rows.

        None where :attr:`encoded` is. The numbers are for :meth:`token_attribute`.
        """
        encoded = self.encoded
        if encoded is None:
            return None
        row = np.cumsum(encoded.is_sep)
        wanted = np.zeros(len(self.raw) + 1, dtype=bool)
        wanted[rows] = True
        take = np.flatnonzero(wanted[row] & ~encoded.is_sep)
        return encoded.ids[take], row[take]

    def token_attribute(
        self, key: object, values: Callable[[list[str]], np.ndarray], tokens: np.ndarray
    ) -> np.ndarray | None:
        """Return ``values`` of the given :meth:`tokens`, each distinct token looked at once.

        None when the numbering started over since the batch was encoded.
        """
        encoded = self.encoded
        if encoded is None or encoded.generation != _HASHER.generation:
            return None
        found: np.ndarray = _HASHER.attribute(key, values)[tokens]
        return found

    @cached_property
    def _hashed(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Both word count matrices, from one tokenising pass."""
        if not self.texts:
            empty = sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
            return empty, empty
        return _HASHER.transform(self.texts, self.encoded)

    @cached_property
    def counts(self) -> sp.csr_matrix:
        """Raw word uni+bigram counts (the input of every linear head)."""
        return self._hashed[0]

    @cached_property
    def unigrams(self) -> sp.csr_matrix:
        """Raw word counts without bigrams (bigram buckets would collide with lexicon words)."""
        return self._hashed[1]

    @cached_property
    def words(self) -> sp.csr_matrix:
        """L2-normalised word uni+bigram features."""
        if not self.texts:
            return self.counts
        return normalize(self.counts, copy=True)

    @cached_property
    def chars(self) -> sp.csr_matrix:
        """L2-normalised character 2–5-gram features (only adapted models ask for them)."""
        if not self.texts:
            return sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
        return _CHARS.transform(self.texts)

    @cached_property
    def n_tokens(self) -> np.ndarray:
        """Number of tokens per text (bigrams excluded)."""
        return np.asarray(self.unigrams.sum(axis=1), dtype=np.float32).ravel()
