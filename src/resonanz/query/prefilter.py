"""Find, per post, the few topics worth evaluating with Aho-Corasick passes over its haystack.

Every topic gets a set of *anchors*: strings of which at least one occurs in a post's
haystack whenever the topic matches it (a literal piece of a word, ``#tag``, a field marker
and value prefix, a link host). A topic without anchors (``-spam`` alone, ``??``) is
evaluated on every post.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence

import ahocorasick
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.query.fold import fold, link_parts
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag
from resonanz.query.patterns import literal_prefix, longest_literal

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
#: post position → (candidate topics, anchors present)
Hits = dict[int, tuple[set[int], set[int]]]


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
        self._relevant: dict[int, frozenset[int]] = {}
        for index, tree in enumerate(trees):
            found = anchors(tree)
            if found is None:
                always.append(index)
                self._shortcuts[index] = self._shortcut(tree)
                self._relevant[index] = frozenset(self._intern(a) for a in _leaf_anchors(tree))
                continue
            for anchor in found:
                by_anchor.setdefault(anchor, []).append(index)
                self._intern(anchor)
        self.always = tuple(always)
        self._memo: dict[tuple[str, str], tuple[frozenset[int], frozenset[int]] | None] = {}
        # what each always-topic answers when none of its anchors is present
        self._default = {index: self._shortcuts[index](set()) for index in always}
        #: anchors that can change the answer of an always-topic
        self.always_relevant = frozenset().union(*self._relevant.values())
        #: always-topics that match a post in which none of ``always_relevant`` is present
        self.match_without_anchors = tuple(i for i in always if self._default[i])
        self._automaton: ahocorasick.Automaton | None = None
        if self._ids:
            automaton = ahocorasick.Automaton()
            for anchor, anchor_id in self._ids.items():
                automaton.add_word(anchor, (anchor_id, tuple(by_anchor.get(anchor, ()))))
            automaton.make_automaton()
            self._automaton = automaton

    def _intern(self, anchor: str) -> int:
        return self._ids.setdefault(anchor, len(self._ids))

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

    def scan(self, text: str) -> tuple[set[int], set[int]]:
        """Return the topics with an anchor in ``text`` and the ids of the anchors present."""
        topics: set[int] = set()
        present: set[int] = set()
        if self._automaton is not None:
            for _end, (anchor_id, indices) in self._automaton.iter(text):
                present.add(anchor_id)
                topics.update(indices)
        return topics, present

    def scan_texts(self, texts: Sequence[str], hits: Hits) -> None:
        """Record the topics and anchors of each folded text in ``hits`` (by position)."""
        if self._automaton is None or not texts:
            return
        starts = [0]
        for text in texts[:-1]:
            starts.append(starts[-1] + len(text) + 1)
        # one pass over all texts; no anchor holds the separator, so none spans two posts
        for end, (anchor_id, indices) in self._automaton.iter("\x02".join(texts)):
            post = bisect_right(starts, end) - 1
            entry = hits.get(post)
            if entry is None:
                entry = hits[post] = (set(), set())
            entry[0].update(indices)
            entry[1].add(anchor_id)

    def scan_column(self, column: str, values: pa.ChunkedArray, hits: Hits) -> None:
        """Record the topics and anchors of the marked values of ``column`` in ``hits``."""
        array = values.combine_chunks()
        if array.null_count == len(array):
            return
        if pa.types.is_list(array.type) or pa.types.is_large_list(array.type):
            posts = pc.list_parent_indices(array)
            array = pc.list_flatten(array)
        else:
            posts = pa.array(range(len(array)), pa.int64())
        encoded = pc.dictionary_encode(array)
        found = [self._value_hit(column, value) for value in encoded.dictionary.to_pylist()]
        hit_codes = [code for code, hit in enumerate(found) if hit is not None]
        if not hit_codes:
            return
        mask = pc.is_in(encoded.indices, value_set=pa.array(hit_codes, encoded.indices.type))
        for code, post in zip(
            encoded.indices.filter(mask).to_pylist(), posts.filter(mask).to_pylist(), strict=True
        ):
            topics, present = found[code]
            entry = hits.get(post)
            if entry is None:
                entry = hits[post] = (set(), set())
            entry[0].update(topics)
            entry[1].update(present)

    def _value_hit(self, column: str, value: str) -> tuple[frozenset[int], frozenset[int]] | None:
        key = (column, value)
        if key not in self._memo:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            topics, present = self.scan(marked(column, value))
            self._memo[key] = (frozenset(topics), frozenset(present)) if present else None
        return self._memo[key]

    def decide(self, index: int, present: set[int]) -> bool | None:
        """Decide an ``always`` topic from the anchors present, or None to evaluate it."""
        if self._relevant[index].isdisjoint(present):
            return self._default[index]
        return self._shortcuts[index](present)


def _leaf_anchors(node: Node) -> set[str]:
    """Return every anchor of the leaves (not AND/OR/NOT) of ``node``."""
    if isinstance(node, And | Or):
        return set().union(*(_leaf_anchors(c) for c in node.children))
    if isinstance(node, Not):
        return _leaf_anchors(node.child)
    return set(anchors(node) or ())


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
