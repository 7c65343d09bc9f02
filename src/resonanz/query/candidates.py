"""Turn the anchors found in a batch into the (post, topic) pairs worth evaluating.

Column-wise over the whole batch with NumPy: the anchors present become candidate topics,
topics whose other required anchors are missing are dropped, and the topics without anchors
(``-spam``) are settled from the few anchors that can change their answer. Only the pairs
left undecided are evaluated in Python, one post at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from resonanz.query.prefilter import Pairs, Prefilter, expand

#: Relevant anchors of one topic without anchors that fit into an int64 bit set.
_MAX_BITS: Final = 62
_FALSE, _TRUE, _UNKNOWN = 0, 1, 2


def unique(keys: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values of ``keys``.

    Sort-based: NumPy's own ``unique`` hashes integers, which is many times slower on these
    (post × anchor) keys.
    """
    ordered = np.sort(keys)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]  # type: ignore[no-any-return]


def unique_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sorted distinct values of ``keys`` and how often each occurs."""
    ordered = np.sort(keys)
    if not len(ordered):
        return ordered, np.zeros(0, np.int64)
    firsts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return ordered[firsts], np.diff(np.append(firsts, len(ordered)))


def _csr(lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Return (starts with a final end, values) of a list of integer lists."""
    counts = np.fromiter(map(len, lists), np.int64, len(lists))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    values = np.fromiter((v for items in lists for v in items), np.int64, int(starts[-1]))
    return starts, values


class CandidateIndex:
    """The prefilter's anchor → topic relations as arrays, applied to a whole batch."""

    def __init__(self, prefilter: Prefilter, topics: int) -> None:
        self.prefilter = prefilter
        self.anchors = max(prefilter.anchor_count, 1)
        self.topics = max(topics, 1)
        self.topic_starts, self.topic_values = _csr(prefilter.topics_of)
        groups_of: list[list[int]] = [[] for _ in range(self.anchors)]
        group_topic: list[int] = []
        self.needed = np.zeros(self.topics, np.int64)
        for topic, groups in prefilter.required.items():
            self.needed[topic] = len(groups)
            for group in groups:
                for anchor in group:
                    groups_of[anchor].append(len(group_topic))
                group_topic.append(topic)
        self.groups = max(len(group_topic), 1)
        self.group_starts, self.group_values = _csr(groups_of)
        self.group_topic = np.array(group_topic, np.int64)
        #: per topic without anchors: its relevant anchors, in bit order
        self.bits = {index: sorted(prefilter.relevant[index]) for index in prefilter.always}

    def present(self, pairs: Pairs) -> Pairs:
        """Return ``pairs`` without repeats, sorted by post then anchor."""
        keys = unique(pairs[0] * self.anchors + pairs[1])
        return keys // self.anchors, keys % self.anchors

    def candidates(self, present: Pairs) -> Pairs:
        """Return the (post, topic) pairs of anchored topics that need evaluating, sorted."""
        posts, anchors = present
        rows, offsets = expand(self.topic_starts, anchors)
        keys = unique(posts[rows] * self.topics + self.topic_values[offsets])
        narrowed = self.needed[keys % self.topics] > 0
        if narrowed.any():
            keys = keys[~narrowed | _within(keys, self._complete(present))]
        return keys // self.topics, keys % self.topics

    def _complete(self, present: Pairs) -> np.ndarray:
        """Return the (post, topic) keys whose every required anchor group is present."""
        posts, anchors = present
        rows, offsets = expand(self.group_starts, anchors)
        met = unique(posts[rows] * self.groups + self.group_values[offsets])
        topic = self.group_topic[met % self.groups]
        keys, counts = unique_counts((met // self.groups) * self.topics + topic)
        return keys[counts == self.needed[keys % self.topics]]  # type: ignore[no-any-return]

    def settle_always(self, present: Pairs, posts: int) -> tuple[Pairs, Pairs]:
        """Return (matched, undecided) (post, topic) pairs of the topics without anchors."""
        matched: list[Pairs] = []
        undecided: list[Pairs] = []
        for index, bits in self.bits.items():
            answers = self._answers(index, bits, present, posts)
            for state, out in ((_TRUE, matched), (_UNKNOWN, undecided)):
                hit = np.flatnonzero(answers == state)
                out.append((hit, np.full(len(hit), index, np.int64)))
        return _join(matched), _join(undecided)

    def _answers(self, index: int, bits: list[int], present: Pairs, posts: int) -> np.ndarray:
        """Return each post's answer (False, True, unknown) for one topic without anchors."""
        position = np.full(self.anchors, -1, np.int64)
        position[bits] = np.arange(len(bits))
        post_ids, anchors = present
        relevant = position[anchors] >= 0
        if len(bits) > _MAX_BITS:  # too many to enumerate: evaluate wherever one is present
            answers = np.full(posts, _state(self.prefilter.default[index]), np.int8)
            answers[post_ids[relevant]] = _UNKNOWN
            return answers
        codes = np.zeros(posts, np.int64)
        np.bitwise_or.at(codes, post_ids[relevant], 1 << position[anchors[relevant]])
        distinct = unique(codes)
        known = [
            _state(self.prefilter.decide(index, {a for j, a in enumerate(bits) if code >> j & 1}))
            for code in distinct.tolist()
        ]
        return np.array(known, np.int8)[np.searchsorted(distinct, codes)]


def _within(keys: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Tell for each key whether the sorted array ``ordered`` holds it (without ``np.isin``)."""
    if not len(ordered):
        return np.zeros(len(keys), bool)
    at = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return ordered[at] == keys  # type: ignore[no-any-return]


def _state(answer: bool | None) -> int:
    return _UNKNOWN if answer is None else int(answer)


def _join(parts: list[Pairs]) -> Pairs:
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate([p for p, _ in parts]), np.concatenate([t for _, t in parts])
