"""Find, per post, the few topics worth evaluating with Aho-Corasick passes over its haystack.

Every topic gets a set of *anchors*: strings of which at least one occurs in a post's
haystack whenever the topic matches it (a literal piece of a word, ``#tag``, a field marker
and value prefix, a link host). A topic without anchors (``-spam`` alone, ``??``) is
evaluated on every post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.query.fold import fold, link_parts
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag
from resonanz.query.patterns import literal_prefix, longest_literal
from resonanz.query.words import TextHits, evaluation_words, exact_word
from resonanz.substrings import Substrings

Anchors = frozenset[str] | None

_MARKS = {
    "hashtags": "\x00#",
    "mentions": "\x00@",
    "author": "\x00a=",
    "lang": "\x00l=",
    "platform": "\x00p=",
}
_STRIP = {"hashtags": "#", "mentions": "@", "author": "@"}
_MEMO_LIMIT = 100_000


def marked(column: str, value: str) -> str:
    """Return how a value of one of the post's columns is seen by the prefilter.

    A post's haystack is its folded text plus the marked form of each value of its other
    columns; an anchor never spans two of these pieces, so each can be scanned alone.
    """
    if column == "links":
        return "\x00s=" + link_parts(value)[0] + "\x01"
    return _MARKS[column] + fold(value.lstrip(_STRIP.get(column, "")))


def used_fields(trees: Iterable[Node]) -> frozenset[str]:
    """Return the post columns besides the text that ``trees`` look at."""
    used: set[str] = set()
    stack = list(trees)
    while stack:
        node = stack.pop()
        if isinstance(node, And | Or):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
        elif isinstance(node, Tag):
            used.add("hashtags" if node.kind == "hashtag" else "mentions")
        elif isinstance(node, Field):
            used.add(node.name)
        elif isinstance(node, Site):
            used.add("links")
    return frozenset(used)


def anchors(node: Node) -> Anchors:
    """Return strings one of which is in the haystack of every post ``node`` matches."""
    if isinstance(node, Phrase):
        piece = max((longest_literal(w) for w in node.words), key=len)
        piece = fold(piece) if node.raw else piece
        return frozenset({piece}) if piece else None
    if isinstance(node, Tag):
        return frozenset({("#" if node.kind == "hashtag" else "@") + literal_prefix(node.pattern)})
    if isinstance(node, Field):
        return frozenset({_MARKS[node.name] + literal_prefix(node.pattern)})
    if isinstance(node, Site):
        return frozenset({node.host + "\x01"})
    if isinstance(node, Near):
        return _best(
            [_union(anchors(p) for p in node.left), _union(anchors(p) for p in node.right)]
        )
    if isinstance(node, And):
        return _best([anchors(child) for child in node.children])
    if isinstance(node, Or):
        return _union(anchors(child) for child in node.children)
    assert isinstance(node, Not)
    return None


def anchor_groups(node: Node) -> list[frozenset[str]]:
    """Return anchor sets that must *all* meet the haystack of every post ``node`` matches.

    Each set is one requirement (one of its anchors is present); AND, NEAR and the words of a
    phrase add requirements, so a post holding a brand but not the words it must come with is
    settled without evaluating the query.
    """
    if isinstance(node, Phrase):
        pieces = [longest_literal(w) for w in node.words]
        return [frozenset({fold(p) if node.raw else p}) for p in pieces if p]
    if isinstance(node, Near):
        sides = (_union(anchors(p) for p in node.left), _union(anchors(p) for p in node.right))
        return [side for side in sides if side]
    if isinstance(node, And):
        return [group for child in node.children for group in anchor_groups(child)]
    found = anchors(node)
    return [found] if found else []


def _union(sets: Iterable[Anchors]) -> Anchors:
    out: set[str] = set()
    for found in sets:
        if found is None:
            return None
        out |= found
    return frozenset(out)


def _best(options: list[Anchors]) -> Anchors:
    """Pick the most selective anchor set: longest shortest anchor, then fewest anchors."""
    usable = [found for found in options if found]
    if not usable:
        return None
    return max(usable, key=lambda found: (min(len(a) for a in found), -len(found)))


Shortcut = Callable[[set[int]], bool | None]
#: (post positions, anchor ids): one row per anchor found in a post's haystack
Pairs = tuple[np.ndarray, np.ndarray]


class Prefilter:
    """Tell which topics (by index) may match a haystack.

    Topics without anchors are listed in ``always``; for them :meth:`decide` often knows the
    answer from the anchors present alone (``-spam`` matches every post without "spam").
    """

    def __init__(self, trees: Sequence[Node]) -> None:
        self._ids: dict[str, int] = {}
        by_anchor: dict[str, list[int]] = {}
        always: list[int] = []
        self._shortcuts: dict[int, Shortcut] = {}
        #: anchors that can change the answer of each always-topic
        self.relevant: dict[int, frozenset[int]] = {}
        #: anchor id sets besides the topic's own anchors, one of each must be present
        self.required: dict[int, list[frozenset[int]]] = {}
        for index, tree in enumerate(trees):
            found = anchors(tree)
            if found is None:
                always.append(index)
                self._shortcuts[index] = self._shortcut(tree)
                self.relevant[index] = frozenset(self._intern(a) for a in _leaf_anchors(tree))
                continue
            for anchor in found:
                by_anchor.setdefault(anchor, []).append(index)
                self._intern(anchor)
            required = [
                frozenset(self._intern(a) for a in group)
                for group in anchor_groups(tree)
                if group != found
            ]
            if required:
                self.required[index] = required
        for tree in trees:  # what the batch evaluator looks up; it selects no topic
            for anchor in (*evaluation_words(tree), *_lookup_anchors(tree)):
                self._intern(anchor)
        self.always = tuple(always)
        #: per column: the anchor ids of each value seen (in its marked form)
        self._memo: dict[str, dict[str, tuple[int, ...]]] = {}
        #: what each always-topic answers when none of its relevant anchors is present
        self.default = {index: self._shortcuts[index](set()) for index in always}
        #: the topics each anchor (by id) is an anchor of
        self.topics_of = [tuple(by_anchor.get(anchor, ())) for anchor in self._ids]
        # anchor ids number the anchors in the order they were interned
        self._automaton = Substrings(list(self._ids)) if self._ids else None

    @property
    def anchor_count(self) -> int:
        """How many distinct anchors there are (ids run from 0 to this, exclusive)."""
        return len(self._ids)

    def _intern(self, anchor: str) -> int:
        return self._ids.setdefault(anchor, len(self._ids))

    def anchor_id(self, anchor: str) -> int:
        """Return the id of an anchor or evaluation word (KeyError for one never interned)."""
        return self._ids[anchor]

    def anchor_lengths(self) -> np.ndarray:
        """Return the length of each anchor, by id."""
        return np.fromiter(map(len, self._ids), np.int64, len(self._ids))

    def word_anchors(self) -> np.ndarray:
        """Tell for each anchor, by id, whether it is one whole word (letters and digits)."""
        return np.fromiter(map(exact_word, self._ids), bool, len(self._ids))

    def _shortcut(self, node: Node) -> Shortcut:
        """Return a function deciding ``node`` from the present anchors (None: cannot tell)."""
        if isinstance(node, Not):
            inner = self._shortcut(node.child)
            return lambda present: None if (known := inner(present)) is None else not known
        if isinstance(node, And | Or):
            return _combine([self._shortcut(c) for c in node.children], isinstance(node, And))
        found = anchors(node)
        if found is None:
            return lambda present: None
        ids = frozenset(self._intern(anchor) for anchor in found)
        return lambda present: None if not ids.isdisjoint(present) else False

    def present(self, text: str) -> tuple[int, ...]:
        """Return the ids of the anchors present in ``text`` (each once)."""
        if self._automaton is None:
            return ()
        return tuple(sorted({anchor_id for anchor_id, _, _ in self._automaton.find(text)}))

    def text_hits(self, texts: Sequence[str]) -> TextHits:
        """Return every anchor occurrence in the folded texts, with its post and position."""
        # one pass over all texts; no anchor holds the separator, so none spans two posts
        joined = "\x02".join(texts)
        if self._automaton is None or not texts:
            return TextHits(_NO_PAIRS[0], _NO_PAIRS[1], _NO_PAIRS[0], joined)
        found = self._automaton.find_array(joined)
        ends = found[:, 2] - 1  # the last character of each occurrence
        lengths = np.fromiter(map(len, texts), np.int64, len(texts)) + 1
        starts = np.cumsum(lengths) - lengths
        posts = np.searchsorted(starts, ends, side="right") - 1
        return TextHits(posts, found[:, 0].copy(), ends, joined)

    def text_pairs(self, texts: Sequence[str]) -> Pairs:
        """Return the anchors found in each folded text, as (post position, anchor id) rows."""
        hits = self.text_hits(texts)
        return hits.posts, hits.anchors

    def column_pairs(self, column: str, values: pa.ChunkedArray) -> Pairs:
        """Return the anchors found in the marked values of ``column``, as in :meth:`text_pairs`."""
        array = values.combine_chunks()
        if array.null_count == len(array):
            return _NO_PAIRS
        if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
            posts = pc.list_parent_indices(array).to_numpy()
            array = pc.list_flatten(array)
        else:
            posts = np.arange(len(array), dtype=np.int64)
        encoded = pc.dictionary_encode(array)
        found = self._value_hits(column, encoded.dictionary.to_pylist())
        counts = np.fromiter(map(len, found), np.int64, len(found))
        hit = np.flatnonzero(counts)
        if not len(hit):
            return _NO_PAIRS
        codes = encoded.indices.fill_null(len(found)).to_numpy()
        counts = np.append(counts, 0)  # the code of null values
        flat = np.zeros(int(counts.sum()), np.int64)
        starts = np.cumsum(counts) - counts
        for code in hit.tolist():  # few values hold an anchor: only theirs are copied
            flat[starts[code] : starts[code] + counts[code]] = found[code]
        rows, offsets = expand(np.concatenate([[0], np.cumsum(counts)]), codes)
        return posts[rows], flat[offsets]

    def _value_hits(self, column: str, values: list[str]) -> list[tuple[int, ...]]:
        """Return the anchor ids in the marked form of each value (remembered per value)."""
        memo = self._memo.setdefault(column, {})
        found = list(map(memo.get, values))
        missing = [i for i, hit in enumerate(found) if hit is None]
        if len(memo) + len(missing) > _MEMO_LIMIT:
            memo.clear()
        for i in missing:
            found[i] = memo[values[i]] = self.present(marked(column, values[i]))
        return found  # type: ignore[return-value]

    def decide(self, index: int, present: set[int]) -> bool | None:
        """Decide an ``always`` topic from the anchors present, or None to evaluate it."""
        if self.relevant[index].isdisjoint(present):
            return self.default[index]
        return self._shortcuts[index](present)


_NO_PAIRS: Pairs = (np.zeros(0, np.int64), np.zeros(0, np.int64))


def expand(starts: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (position in ``rows``, offset) for every offset of the CSR ranges of ``rows``.

    ``starts`` holds each row's first offset plus a final end; row ``r`` spans
    ``starts[r]:starts[r + 1]``. Vectorised, so that no Python loop runs per post.
    """
    counts = starts[rows + 1] - starts[rows]
    total = int(counts.sum())
    where = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    first = np.repeat(starts[rows] - (np.cumsum(counts) - counts), counts)
    return where, first + np.arange(total, dtype=np.int64)


def _leaf_anchors(node: Node) -> set[str]:
    """Return every anchor of the leaves (not AND/OR/NOT) of ``node``."""
    if isinstance(node, And | Or):
        return set().union(*(_leaf_anchors(c) for c in node.children))
    if isinstance(node, Not):
        return _leaf_anchors(node.child)
    return set(anchors(node) or ())


def _lookup_anchors(node: Node) -> set[str]:
    """Return the anchors of every leaf of ``node`` and of every phrase in its NEARs."""
    if isinstance(node, And | Or):
        return set().union(*(_lookup_anchors(c) for c in node.children))
    if isinstance(node, Not):
        return _lookup_anchors(node.child)
    found = set(anchors(node) or ())
    if isinstance(node, Near):
        found.update(*(anchors(p) or () for p in (*node.left, *node.right)))
    return found


def _combine(parts: list[Shortcut], conjunction: bool) -> Shortcut:
    """Combine children's answers: one decisive child (False for AND, True for OR) decides."""
    decisive = not conjunction

    def combined(present: set[int]) -> bool | None:
        result: bool | None = conjunction
        for part in parts:
            known = part(present)
            if known is decisive:
                return decisive
            if known is None:
                result = None
        return result

    return combined


def unanchored(topics: Mapping[str, Node]) -> list[str]:
    """Return the names of topics that cannot be prefiltered (evaluated on every post)."""
    return [name for name, tree in topics.items() if anchors(tree) is None]
