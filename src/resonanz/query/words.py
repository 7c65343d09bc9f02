"""Tell which posts hold which whole words, from the prefilter's anchor hits.

A word of a folded text is a maximal run of letters and digits (see
:mod:`resonanz.query.fold`). The Aho-Corasick pass of the prefilter already reports every
occurrence of every anchor; an occurrence of a one-word anchor is that word exactly when the
characters on both sides are no letters or digits, and it starts a word when the one before
is not. So word presence for a whole batch costs two array lookups per hit, not one
tokenisation per post.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from resonanz.query.nodes import And, Near, Node, Not, Or, Phrase

#: The code points a 16-bit table covers; letters beyond it are looked up one by one.
_BMP = 0x10000


def exact_word(pattern: str) -> bool:
    """True when ``pattern`` is one word without wildcards (its hits can be tested as words)."""
    return pattern.isalnum()


def word_prefix(pattern: str) -> str | None:
    """Return the literal start of a ``start*`` pattern (a word beginning), else None."""
    head = pattern[:-1]
    return head if pattern.endswith("*") and exact_word(head) else None


def evaluation_words(node: Node) -> Iterator[str]:
    """Yield the words and word starts of ``node``'s (folded) phrases, for word lookups."""
    if isinstance(node, And | Or):
        for child in node.children:
            yield from evaluation_words(child)
    elif isinstance(node, Not):
        yield from evaluation_words(node.child)
    elif isinstance(node, Near):
        for phrase in (*node.left, *node.right):
            yield from evaluation_words(phrase)
    elif isinstance(node, Phrase) and not node.raw:
        for word in node.words:
            if exact_word(word):
                yield word
            elif (head := word_prefix(word)) is not None:
                yield head


@dataclass(frozen=True)
class TextHits:
    """Anchor occurrences in a batch's folded texts joined by a separator."""

    posts: np.ndarray  #: the post position of each hit
    anchors: np.ndarray  #: the anchor id of each hit
    ends: np.ndarray  #: where each hit's last character is in ``joined``
    joined: str


@cache
def _word_table() -> np.ndarray:
    """Return, for each code point below 0x10000, whether it is a letter or digit."""
    return np.fromiter((chr(c).isalnum() for c in range(_BMP)), bool, _BMP)


def _is_word(points: np.ndarray) -> np.ndarray:
    """Tell for each code point whether it is a letter or digit (Python's ``isalnum``)."""
    out = np.zeros(len(points), bool)
    small = points < _BMP
    out[small] = _word_table()[points[small]]
    large = np.flatnonzero(~small)
    if len(large):
        out[large] = [chr(c).isalnum() for c in points[large].tolist()]
    return out


def _edges(points: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Tell for each position whether it is outside the text or not a letter or digit."""
    inside = (at >= 0) & (at < len(points))
    out = np.ones(len(at), bool)
    out[inside] = ~_is_word(points[at[inside]])
    return out


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    ordered = np.sort(keys)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]  # type: ignore[no-any-return]


class WordIndex:
    """Which posts of a batch hold which one-word anchors as words, or as word starts."""

    def __init__(
        self, hits: TextHits, lengths: np.ndarray, words: np.ndarray, present: np.ndarray
    ) -> None:
        """Index the word hits; ``present`` holds the sorted (post × width + anchor) keys."""
        self.width = max(len(lengths), 1)
        self.present = present
        keep = words[hits.anchors] if len(hits.anchors) else np.zeros(0, bool)
        posts, anchors, ends = hits.posts[keep], hits.anchors[keep], hits.ends[keep]
        points = np.frombuffer(hits.joined.encode("utf-32-le"), np.uint32)
        starts = _edges(points, ends - lengths[anchors]) if len(ends) else keep[:0]
        whole = starts & _edges(points, ends + 1) if len(ends) else keep[:0]
        keys = posts * self.width + anchors
        self.words = _sorted_unique(keys[whole])
        self.starts = _sorted_unique(keys[starts])

    def has(self, word: int, rows: np.ndarray) -> np.ndarray:
        """Tell for each post position in ``rows`` whether it holds the word ``word``."""
        return _within(rows * self.width + word, self.words)

    def has_anchor(self, anchor: int, rows: np.ndarray) -> np.ndarray:
        """Tell for each post in ``rows`` whether the anchor is anywhere in its haystack."""
        return _within(rows * self.width + anchor, self.present)

    def has_start(self, word: int, rows: np.ndarray) -> np.ndarray:
        """Tell for each post in ``rows`` whether one of its words starts with ``word``."""
        return _within(rows * self.width + word, self.starts)


def _within(keys: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    if not len(ordered):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return ordered[at] == keys  # type: ignore[no-any-return]
