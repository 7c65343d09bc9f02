"""Turn the anchors found in a batch into the (post, topic) pairs worth evaluating.

Column-wise over the whole batch with NumPy: the anchors present become candidate topics,
topics whose other required anchors are missing are dropped, and the topics without anchors
(``-spam``) are settled from the few anchors that can change their answer. Only the pairs
left undecided are evaluated, topic by topic (:mod:`resonanz.query.batch`).
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
        groups_of: list[list[int]] = [[] for _ in range(self.topics)]
        members: list[list[int]] = []
        self.needed = np.zeros(self.topics, np.int64)
        for topic, groups in prefilter.required.items():
            self.needed[topic] = len(groups)
            for group in groups:
                groups_of[topic].append(len(members))
                members.append(sorted(group))
        #: each topic's required anchor groups, and each group's anchors (one must be present)
        self.group_starts, self.group_values = _csr(groups_of)
        self.member_starts, self.member_values = _csr(members)
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
        narrowed = np.flatnonzero(self.needed[keys % self.topics] > 0)
        if len(narrowed):
            complete = self._complete(keys[narrowed], posts * self.anchors + anchors)
            keys = np.delete(keys, narrowed[~complete])
        return keys // self.topics, keys % self.topics

    def _complete(self, keys: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Tell for each (post, topic) key whether every required anchor group is present.

        ``present`` holds the sorted (post, anchor) keys. Only the groups of the given topics
        are looked at, so the cost follows the candidates, not every anchor hit.
        """
        post_ids, topics = keys // self.topics, keys % self.topics
        pair_rows, group_at = expand(self.group_starts, topics)
        groups = self.group_values[group_at]
        member_rows, member_at = expand(self.member_starts, groups)
        looked = post_ids[pair_rows[member_rows]] * self.anchors + self.member_values[member_at]
        hit = _within(looked, present)
        met = np.bincount(member_rows, weights=hit, minlength=len(groups)) > 0
        missing = np.bincount(pair_rows, weights=~met, minlength=len(keys))
        return missing == 0  # type: ignore[no-any-return]

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
