"""Find cue words and phrases in many texts at once (Aho–Corasick, word boundaries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import ahocorasick
import numpy as np

#: Joins texts for one pass over many; a text holding it is scanned alone.
_JOIN = "\x02"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzäöüßàáâçèéêëìíîïñòóôùúûœ0123456789_")


class CueMatcher:
    """Match ``label -> cues`` in lower-cased texts.

    ``word*`` also matches longer words (plurals, compounds starting with the cue), ``*word``
    also matches inside a word (German compounds ending in the cue).
    """

    def __init__(self, cues: Mapping[str, Iterable[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, bool, bool]]] = {}
        for label, words in cues.items():
            for cue in words:
                prefix, inner = cue.endswith("*"), cue.startswith("*")
                key = cue.strip("*").strip().lower()
                if key:
                    entries.setdefault(key, []).append((label, prefix, inner))
        for key, payload in entries.items():
            self._automaton.add_word(key, (len(key), tuple(payload)))
        self._empty = not entries
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[tuple[str, int]]:
        """Return ``(label, start)`` of every cue found in the lower-cased ``text``."""
        if self._empty:
            return []
        found: list[tuple[str, int]] = []
        size = len(text)
        for end, (length, payload) in self._automaton.iter(text):
            start = end - length + 1
            open_start = start > 0 and text[start - 1] in _WORD_CHARS
            open_end = end + 1 < size and text[end + 1] in _WORD_CHARS
            for label, prefix, inner in payload:
                if (inner or not open_start) and (prefix or not open_end):
                    found.append((label, start))
        return found

    def labels(self, text: str) -> list[str]:
        """Return the distinct labels found in ``text``, in order of first appearance."""
        seen: dict[str, None] = {}
        for label, _ in self.find(text):
            seen.setdefault(label, None)
        return list(seen)

    def texts_with_hits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the positions of the texts in which some cue occurs, word boundaries or not.

        One automaton pass over all texts: a superset of the texts :meth:`find` has hits in.
        """
        if self._empty or not texts:
            return np.zeros(0, dtype=np.int64)
        joined = _JOIN.join(texts)
        if joined.count(_JOIN) != len(texts) - 1:
            return np.flatnonzero([bool(self.find(text)) for text in texts])
        starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
        ends = [end for end, _ in self._automaton.iter(joined)]
        return np.unique(
            np.searchsorted(starts, np.asarray(ends, dtype=np.int64), side="right") - 1
        )
