"""Find cue words and phrases in many texts at once (Aho–Corasick, word boundaries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import ahocorasick

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
