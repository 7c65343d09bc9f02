"""Find many substrings at once, overlaps included (Aho–Corasick, ``ahocorasick_rs``).

The cue scanners of the enrichers and the anchor prefilter of the topic matcher scan a whole
batch of texts, joined, in one pass. Occurrences come as (pattern number, start, end) with
``end`` exclusive, ordered by end and, at one end, longest first: the order in which a text
is read from left to right.

Texts holding lone surrogates (a broken decoder's output) cannot be handed to the automaton,
which reads UTF-8: their surrogates are read as characters of a private-use block that no
pattern holds, one for one, so every position and every occurrence stays as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from itertools import chain
from typing import Final

import ahocorasick_rs
import numpy as np

#: Beyond this many patterns the automaton is not built as a DFA (its memory grows fast).
DFA_PATTERNS: Final = 2_000
_SURROGATES: Final = range(0xD800, 0xE000)


def _free_block(patterns: Sequence[str]) -> int:
    """Return the start of a block of 2,048 private-use code points no pattern holds."""
    used = {ord(c) for pattern in patterns for c in pattern if ord(c) >= 0xF0000}
    base = 0xF0000
    while any(code in used for code in range(base, base + len(_SURROGATES))):
        base += len(_SURROGATES)
    return base


class Substrings:
    """A fixed list of patterns, found anywhere in a text (empty patterns are never found)."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = list(patterns)
        kept = [i for i, pattern in enumerate(self.patterns) if pattern]
        #: the pattern number of each pattern the automaton holds
        self._number = np.asarray(kept, dtype=np.int64)
        self._renumber = len(kept) != len(self.patterns)
        self._automaton: ahocorasick_rs.AhoCorasick | None = None
        if kept:
            implementation = (
                ahocorasick_rs.Implementation.DFA if len(kept) <= DFA_PATTERNS else None
            )
            self._automaton = ahocorasick_rs.AhoCorasick(
                [self._utf8(self.patterns[i]) for i in kept],
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=implementation,
            )

    @cached_property
    def _readable(self) -> dict[int, int]:
        """The private-use stand-in of every surrogate (a block no pattern holds)."""
        base = _free_block(self.patterns)
        return {code: base + i for i, code in enumerate(_SURROGATES)}

    def _utf8(self, text: str) -> str:
        """Return ``text`` with its lone surrogates read as private-use characters."""
        try:
            text.encode()
        except UnicodeEncodeError:
            return text.translate(self._readable)
        return text

    def _found(self, text: str) -> list[tuple[int, int, int]]:
        if self._automaton is None:
            return []
        try:
            return self._automaton.find_matches_as_indexes(text, overlapping=True)
        except UnicodeEncodeError:
            return self._automaton.find_matches_as_indexes(self._utf8(text), overlapping=True)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """Return every occurrence in ``text`` as (pattern number, start, end), in order."""
        found = sorted(self._found(text), key=_reading_order)  # already sorted: one pass
        if self._renumber:
            number = self._number
            return [(int(number[p]), start, end) for p, start, end in found]
        return found

    def find_array(self, text: str) -> np.ndarray:
        """Return :meth:`find` as an (occurrences × 3) int64 array."""
        found = self._found(text)
        flat = np.fromiter(chain.from_iterable(found), np.int64, 3 * len(found))
        rows = flat.reshape(-1, 3)
        if len(rows) > 1:
            end, start = rows[:, 2], rows[:, 1]
            step, back = np.diff(end), np.diff(start)
            if ((step < 0) | ((step == 0) & (back <= 0))).any():  # not yet in reading order
                rows = rows[np.lexsort((start, end))]
        if self._renumber and len(rows):
            rows[:, 0] = self._number[rows[:, 0]]
        return rows


def _reading_order(occurrence: tuple[int, int, int]) -> tuple[int, int]:
    return occurrence[2], occurrence[1]
