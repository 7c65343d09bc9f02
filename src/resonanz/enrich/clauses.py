"""The polarity of the clause around an aspect cue, for every cue of a batch at once.

:func:`local_polarity` is the definition. :class:`BatchClauses` gives the same numbers for
a whole batch: where the cue's window holds no clause word, the clause ends at the nearest
punctuation mark; every character outside ``\\w`` becomes a space, so the clause's words
are the runs of word characters in it (cut at the clause's ends), found for the whole batch
in NumPy; and the polar words' values are summed in their order, as the definition does.
Windows with a clause word or a negation take the definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, cached_property, partial
from itertools import repeat

import numpy as np

from resonanz.enrich.cues import JoinedTexts
from resonanz.enrich.features import TextFeatures
from resonanz.substrings import Substrings

_TOKEN = re.compile(r"\w+")
# One \b group instead of one per word: the same matches, several times faster to scan.
_CLAUSE = re.compile(r"[.!?;,]|\b(?:aber|but|jedoch|however)\b")
_MARK_CODES = np.asarray([ord(c) for c in ".!?;,"], dtype=np.uint32)
_CLAUSE_WORDS = ("aber", "but", "jedoch", "however")
_CLAUSE_FINDER = Substrings(_CLAUSE_WORDS)
_ASCII_WORD = np.asarray([_TOKEN.match(chr(c)) is not None for c in range(128)])
#: Characters around a cue whose words decide the aspect's own polarity.
WINDOW_BEFORE, WINDOW_AFTER = 60, 80


def local_polarity(
    text: str, start: int, lexicon: Mapping[str, float], negators: frozenset[str]
) -> float:
    """Sum the polarity of words in the cue's clause, flipping the two words after a negation."""
    before = text[max(0, start - WINDOW_BEFORE) : start]
    after = text[start : start + WINDOW_AFTER]
    stop = _CLAUSE.search(after)
    cut = _CLAUSE.split(before)[-1] + (after[: stop.start()] if stop else after)
    return _score(_TOKEN.findall(cut), lexicon, negators)


def _score(words: list[str], lexicon: Mapping[str, float], negators: frozenset[str]) -> float:
    """Add up the words' polarities one after another (negated ones subtracted)."""
    total, flip = 0.0, 0
    for word in words:
        if word in negators:
            flip = 2
            continue
        value = lexicon.get(word, 0.0)
        if flip:
            total -= value
            flip -= 1
        else:
            total += value
    return total


def _flipped(hit: np.ndarray, is_negator: np.ndarray) -> np.ndarray:
    """Return which words (grouped by cue, in order) are among the two after a negation.

    As :func:`_score`: a negation governs the next two words of its clause that are no
    negation themselves, and a later negation starts over.
    """
    at = np.arange(len(hit))
    last = np.maximum.accumulate(np.where(is_negator, at, -1)) if len(hit) else at
    same_cue = (last >= 0) & (hit[np.maximum(last, 0)] == hit)
    return same_cue & ~is_negator & (at - last <= 2)  # type: ignore[no-any-return]


def _inside(found: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Return whether some sorted position of ``found`` lies in each ``[low, high)``."""
    if not len(found):
        return np.zeros(len(low), dtype=bool)
    return np.searchsorted(found, high, "left") > np.searchsorted(found, low, "left")


def _values(lexicon: Mapping[str, float], words: list[str]) -> np.ndarray:
    """Return each word's polarity (0 if the lexicon lacks it)."""
    return np.fromiter(map(lexicon.get, words, repeat(0.0)), np.float64, len(words))


def _members(negators: frozenset[str], words: list[str]) -> np.ndarray:
    """Return whether each word is a negation."""
    return np.fromiter(map(negators.__contains__, words), bool, len(words))


@cache
def _classes() -> np.ndarray:
    """Return the class of every code point of the Basic Multilingual Plane (and one more).

    1: ``\\w`` matches it (ASCII: the regex itself; beyond: ``str.isalnum``), 2: it ends a
    clause (``.!?;,``), 0: neither. The last entry stands for every code point beyond.
    """
    table = np.zeros(0x10001, np.uint8)
    table[:0x10000] = np.fromiter(map(str.isalnum, map(chr, range(0x10000))), bool, 0x10000)
    table[:128] = _ASCII_WORD
    table[_MARK_CODES] = 2
    return table


def _word_mask(codes: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """Return which code points ``\\w`` matches (letters, digits, underscore).

    ``classes``: the :func:`_classes` of ``codes``, where known.
    """
    table = _classes()
    if classes is None:
        classes = table[np.minimum(codes, len(table) - 1)]
    word: np.ndarray = classes == 1
    wide = codes >= len(table) - 1
    if wide.any():
        found = [c for c in np.unique(codes[wide]).tolist() if chr(c).isalnum()]
        if found:
            word[wide] = np.isin(codes[wide], found)
    return word


class BatchClauses:
    """:func:`local_polarity` of many cues of a batch, the batch scanned once."""

    def __init__(
        self,
        joined: JoinedTexts,
        lexicons: tuple[Mapping[str, float], Mapping[str, float]],
        negators: frozenset[str],
        feats: TextFeatures | None = None,
    ) -> None:
        """Read the batch; ``lexicons`` are the (German, other) word polarities.

        ``feats`` (whose normalised texts were joined) lends its tokens: each distinct word
        is looked up once.
        """
        self.joined = joined
        codes = joined.codes
        table = _classes()
        classes = table[np.minimum(codes, len(table) - 1)]
        self.word = word = _word_mask(codes, classes)
        padded = np.zeros(len(word) + 2, dtype=bool)
        padded[1:-1] = word
        self.run_start = np.flatnonzero(padded[1:] & ~padded[:-1])
        self.run_end = np.flatnonzero(padded[:-1] & ~padded[1:])
        self.lexicons, self.negators = lexicons, negators
        self.values, self.negator_runs = self._lookups(feats)
        self.marks = np.flatnonzero(classes == 2)
        # no clause word overlaps itself: every occurrence is one re.finditer would give
        found = _CLAUSE_FINDER.find_array(joined.text)
        self.clause_words = [
            (len(w), found[found[:, 0] == k, 1]) for k, w in enumerate(_CLAUSE_WORDS)
        ]

    @cached_property
    def spaced(self) -> str:
        """The joined text with every character outside ``\\w`` turned into a space."""
        codes = self.joined.codes
        spaced = np.where(self.word, codes, np.uint32(32)).astype("<u4")
        return spaced.tobytes().decode("utf-32-le", "surrogatepass")

    def _lookups(self, feats: TextFeatures | None) -> tuple[list[np.ndarray], np.ndarray]:
        """Return each word run's polarity in both lexicons, and whether it is a negation."""
        found: list[np.ndarray | None] = []
        if feats is not None and feats.texts is self.joined.texts:
            found = [feats.word_attribute(lex, partial(_values, lex)) for lex in self.lexicons]
            found.append(feats.word_attribute(self.negators, partial(_members, self.negators)))
        runs = len(self.run_start)
        if found and all(f is not None and len(f) == runs for f in found):
            arrays = [f for f in found if f is not None]
            return arrays[:2], arrays[2]
        words = self.spaced.split()  # one per run, in order
        return [_values(lex, words) for lex in self.lexicons], _members(self.negators, words)

    def _windows(
        self, text: np.ndarray, start: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return each cue's clause (first, stop) in the joined text, and where it needs regex."""
        offset = self.joined.offsets[text]
        low = offset + np.maximum(start - WINDOW_BEFORE, 0)
        high = offset + np.minimum(start + WINDOW_AFTER, self.joined.lengths[text])
        regex = np.zeros(len(text), dtype=bool)
        for size, found in self.clause_words:
            regex |= _inside(found, low, high - size + 1)
        marks, at = self.marks, offset + start
        first, stop = low.copy(), high.copy()
        if len(marks):
            k = np.searchsorted(marks, at, "left")
            before = marks[np.maximum(k - 1, 0)]
            after = marks[np.minimum(k, len(marks) - 1)]
            first = np.where((k > 0) & (before >= low), before + 1, low)
            stop = np.where((k < len(marks)) & (after < high), after, high)
        return first, stop, regex

    def polarity(
        self, text: np.ndarray, start: np.ndarray, german: np.ndarray, negators: frozenset[str]
    ) -> np.ndarray:
        """Return ``local_polarity`` of every cue (``german``: the cue's post is German)."""
        first, stop, slow = self._windows(text, start)
        hit, value = self._terms(first, stop, german)
        total = np.zeros(len(text), dtype=np.float64)
        keep = ~slow[hit]
        hit, value = hit[keep], value[keep]
        # terms come grouped by cue, in word order: add the k-th term of every cue at once
        rank = np.arange(len(hit)) - np.searchsorted(hit, hit, "left")
        for k in range(int(rank.max(initial=-1)) + 1):
            at = rank == k
            total[hit[at]] += value[at]
        for j in np.flatnonzero(slow).tolist():
            lexicon = self.lexicons[0 if german[j] else 1]
            i = int(text[j])
            total[j] = local_polarity(self.joined.texts[i], int(start[j]), lexicon, negators)
        return total

    def _terms(
        self, first: np.ndarray, stop: np.ndarray, german: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the clauses' polar words as (cue, signed value), by cue and in word order.

        In a clause with a negation every word is kept in order, so that the two words after
        each negation can be flipped as :func:`_score` does; elsewhere only polar words count.
        """
        r0 = np.searchsorted(self.run_start, first, "left")  # first run inside
        r1 = np.searchsorted(self.run_end, stop, "right")  # one past the last run inside
        counts = np.maximum(r1 - r0, 0)
        hit = np.repeat(np.arange(len(first)), counts)
        run = np.arange(len(hit)) + np.repeat(r0 - (np.cumsum(counts) - counts), counts)
        value = np.where(german[hit], self.values[0][run], self.values[1][run])
        cut_hit, cut_value, cut_start, cut_negated = self._cut_terms(first, stop, r0, r1, german)
        hit = np.concatenate([hit, cut_hit])
        value = np.concatenate([value, cut_value])
        position = np.concatenate([self.run_start[run], cut_start])
        is_negator = np.concatenate([self.negator_runs[run], cut_negated])
        negated = np.zeros(len(first), dtype=bool)
        negated[hit[is_negator]] = True
        wanted = (value != 0.0) | negated[hit]  # adding 0.0 changes no sum
        hit, value = hit[wanted], value[wanted]
        position, is_negator = position[wanted], is_negator[wanted]
        order = np.lexsort((position, hit))
        hit, value, is_negator = hit[order], value[order], is_negator[order]
        value = np.where(_flipped(hit, is_negator), -value, value)
        polar = ~is_negator & (value != 0.0)
        return hit[polar], value[polar]

    def _cut_terms(
        self,
        first: np.ndarray,
        stop: np.ndarray,
        r0: np.ndarray,
        r1: np.ndarray,
        german: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (cue, value, start, is a negation) of the words the clauses' ends cut."""
        cut = self._cut_words(first, stop, r0, r1)
        if not cut:
            empty = np.zeros(0, np.int64)
            return empty, np.zeros(0, np.float64), empty, np.zeros(0, bool)
        hit, start, _ = (np.asarray(c, np.int64) for c in zip(*cut, strict=True))
        text = self.joined.text  # a cut word is a run of word characters: as in spaced
        words = [text[a:b] for _, a, b in cut]
        de, other = self.lexicons
        values = (
            (de if g else other).get(w, 0.0)
            for g, w in zip(german[hit].tolist(), words, strict=True)
        )
        value = np.fromiter(values, np.float64, len(words))
        return hit, value, start, _members(self.negators, words)

    def _cut_words(
        self, first: np.ndarray, stop: np.ndarray, r0: np.ndarray, r1: np.ndarray
    ) -> list[tuple[int, int, int]]:
        """Return (cue, start, stop) of the words a clause's ends cut (their inside parts)."""
        n = len(self.run_start)
        if not n:
            return []
        left_end = np.minimum(self.run_end[np.maximum(r0 - 1, 0)], stop)
        left = (r0 > 0) & (left_end > first)
        right_start = np.maximum(self.run_start[np.minimum(r1, n - 1)], first)
        right = (r1 < n) & (right_start < stop) & (r1 != r0 - 1)  # one word spanning: once
        out = [(j, int(first[j]), int(left_end[j])) for j in np.flatnonzero(left).tolist()]
        out += [(j, int(right_start[j]), int(stop[j])) for j in np.flatnonzero(right).tolist()]
        return out
