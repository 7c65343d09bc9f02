"""Find cue words and phrases in many texts at once (Aho–Corasick, word boundaries)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from resonanz.substrings import Substrings

#: Joins texts for one pass over many; a text holding it is scanned alone.
_JOIN = "\x02"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzäöüßàáâçèéêëìíîïñòóôùúûœ0123456789_")
#: ``_WORD_TABLE[code point]``: whether the character counts as part of a word (the last
#: entry stands for every code point beyond the table).
_WORD_TABLE = np.zeros(max(map(ord, _WORD_CHARS)) + 2, dtype=bool)
_WORD_TABLE[[ord(c) for c in _WORD_CHARS]] = True


class JoinedTexts:
    """The texts of a batch joined into one string, for one pass of a scanner over all."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.text = _JOIN.join(texts)
        #: False when a text holds the separator: then texts must be scanned one by one.
        self.ok = self.text.count(_JOIN) == max(len(texts) - 1, 0)
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        self.lengths = lengths
        #: Where each text starts in :attr:`text`.
        self.offsets = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)

    @cached_property
    def codes(self) -> np.ndarray:
        """The code points of :attr:`text`."""
        return np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)

    def text_of(self, positions: np.ndarray) -> np.ndarray:
        """Return the number of the text each position of :attr:`text` lies in."""
        return np.searchsorted(self.offsets, positions, side="right") - 1


@dataclass(frozen=True)
class Hits:
    """Cue hits of a batch, in the order :meth:`CueMatcher.find` gives them text by text."""

    text: np.ndarray  # int64: the text's number
    start: np.ndarray  # int64: where the cue starts in its text
    label: np.ndarray  # int64: the label's number in :attr:`CueMatcher.label_names`


class CueMatcher:
    """Match ``label -> cues`` in lower-cased texts.

    ``word*`` also matches longer words (plurals, compounds starting with the cue), ``*word``
    also matches inside a word (German compounds ending in the cue).
    """

    def __init__(self, cues: Mapping[str, Iterable[str]]) -> None:
        #: The cues as given, per label (a :class:`CueScan` rebuilds them together).
        self.cues = {label: list(words) for label, words in cues.items()}
        entries: dict[str, list[tuple[str, bool, bool]]] = {}
        for label, words in self.cues.items():
            for cue in words:
                prefix, inner = cue.endswith("*"), cue.startswith("*")
                key = cue.strip("*").strip().lower()
                if key:
                    entries.setdefault(key, []).append((label, prefix, inner))
        self.label_names = list(dict.fromkeys(label for p in entries.values() for label, *_ in p))
        # a cue's number is its place in ``entries``
        self._payloads = [tuple(payload) for payload in entries.values()]
        self._automaton = Substrings(list(entries))
        self._tables(entries)
        self._empty = not entries
        self._joinable = not any(_JOIN in key for key in entries)

    def _tables(self, entries: Mapping[str, list[tuple[str, bool, bool]]]) -> None:
        """Lay the cues' payloads out flat, for the whole-batch pass of :meth:`find_all`."""
        flat = [entry for payload in entries.values() for entry in payload]
        number = {label: i for i, label in enumerate(self.label_names)}
        self._key_count = np.asarray([len(p) for p in entries.values()], dtype=np.int64)
        self._key_first = np.concatenate([[0], np.cumsum(self._key_count)[:-1]]).astype(np.int64)
        self._entry_label = np.asarray([number[e[0]] for e in flat], dtype=np.int64)
        self._entry_prefix = np.asarray([e[1] for e in flat], dtype=bool)
        self._entry_inner = np.asarray([e[2] for e in flat], dtype=bool)

    def find(self, text: str) -> list[tuple[str, int]]:
        """Return ``(label, start)`` of every cue found in the lower-cased ``text``."""
        if self._empty:
            return []
        found: list[tuple[str, int]] = []
        size = len(text)
        payloads = self._payloads
        for number, start, stop in self._automaton.find(text):
            end = stop - 1
            payload = payloads[number]
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

    def find_all(self, joined: JoinedTexts) -> Hits:
        """Return every hit :meth:`find` gives in each text, with one automaton pass over all.

        The separator is no word character and no cue holds it, so the word-boundary checks
        at a text's ends read the same in the joined string as in the text alone.
        """
        if self._empty or not joined.texts:
            return _no_hits()
        if not (joined.ok and self._joinable):
            return self._find_each(joined.texts)
        found = self._automaton.find_array(joined.text)
        key, start, end = found[:, 0], found[:, 1], found[:, 2] - 1
        # one past each end reads False: the text's (and the batch's) edges close words
        table = np.append(_WORD_TABLE[np.minimum(joined.codes, len(_WORD_TABLE) - 1)], False)
        open_start, open_end = table[start - 1], table[end + 1]
        # every hit once per payload entry of its cue, in payload order
        counts = self._key_count[key]
        hit = np.repeat(np.arange(len(key)), counts)
        skip = np.repeat(self._key_first[key] - (np.cumsum(counts) - counts), counts)
        entry = np.arange(len(hit)) + skip
        keep = (self._entry_inner[entry] | ~open_start[hit]) & (
            self._entry_prefix[entry] | ~open_end[hit]
        )
        hit, entry = hit[keep], entry[keep]
        text = joined.text_of(start[hit])
        return Hits(text, start[hit] - joined.offsets[text], self._entry_label[entry])

    def _find_each(self, texts: Sequence[str]) -> Hits:
        """Return :meth:`find_all`'s answer text by text (a text holds the separator)."""
        number = {label: i for i, label in enumerate(self.label_names)}
        rows = [(i, at, number[label]) for i, t in enumerate(texts) for label, at in self.find(t)]
        if not rows:
            return _no_hits()
        text, start, label = (np.asarray(c, dtype=np.int64) for c in zip(*rows, strict=True))
        return Hits(text, start, label)

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
        ends = self._automaton.find_array(joined)[:, 2] - 1
        return np.unique(np.searchsorted(starts, ends, side="right") - 1)


class CueScan:
    """The cues of several matchers in one automaton: one pass finds the hits of each.

    Each matcher's hits come out exactly as its own :meth:`CueMatcher.find_all` gives them:
    the automaton reports the cues ending at one place longest first whichever other cues
    it holds, and a cue's labels keep their order.
    """

    def __init__(self, matchers: Sequence[CueMatcher]) -> None:
        self.matchers = list(matchers)
        # a label name no cue text holds: the matcher's number, a tab, its label
        joint = {
            f"{m}\t{label}": words
            for m, matcher in enumerate(self.matchers)
            for label, words in matcher.cues.items()
        }
        self._joint = CueMatcher(joint)
        owner, local = [], []
        for name in self._joint.label_names:
            number, _, label = name.partition("\t")
            owner.append(int(number))
            local.append(self.matchers[int(number)].label_names.index(label))
        self._owner = np.asarray(owner, dtype=np.int64)
        self._local = np.asarray(local, dtype=np.int64)

    def find_all(self, joined: JoinedTexts) -> list[Hits]:
        """Return every matcher's :meth:`CueMatcher.find_all` of ``joined``, in order."""
        hits = self._joint.find_all(joined)
        out = []
        for m in range(len(self.matchers)):
            mine = self._owner[hits.label] == m
            out.append(Hits(hits.text[mine], hits.start[mine], self._local[hits.label[mine]]))
        return out


def _no_hits() -> Hits:
    empty = np.zeros(0, dtype=np.int64)
    return Hits(empty, empty, empty)
