"""Evaluate topic queries over many posts at once: one topic at a time, as NumPy masks.

Each query tree becomes a :class:`Plan`: AND, OR and NOT are array operations over the
candidate rows of a topic, and a word (or ``word*``) looks up the batch's
:class:`~resonanz.query.words.WordIndex`, built once from the prefilter's hits and shared by
all topics. Phrases, NEAR, raw words, tags, fields and sites fall back to the one-post
evaluator of :mod:`resonanz.query.evaluate`, only on the rows the cheaper parts of the query
left undecided. The answers are those of the one-post evaluator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.query.candidates import unique
from resonanz.query.evaluate import Doc, field_values, predicate, set_test
from resonanz.query.nodes import And, Field, Near, Node, Not, Or, Phrase, Site, Tag
from resonanz.query.prefilter import anchors
from resonanz.query.words import WordIndex, exact_word, word_prefix

#: Relative costs: a word lookup, and one post through the one-post evaluator.
_LOOKUP, _ONE_BY_ONE = 1, 50


class BatchView:
    """One batch of posts as plans see it: word presence for all, a :class:`Doc` on demand.

    A post's :class:`Doc` gets the columns the evaluated operators need, on first need:
    converting whole columns to Python would cost more than all the evaluation.
    """

    def __init__(
        self, posts: pa.Table, folded: Sequence[str], extras: Sequence[str], words: WordIndex
    ) -> None:
        self.posts, self.folded, self.words = posts, folded, words
        self.extras = frozenset(extras)
        self._arrays: dict[str, pa.Array] = {}
        self._docs: dict[int, tuple[Doc, set[str]]] = {}
        self._codes: dict[str, tuple[np.ndarray, list[Any]]] = {}
        self._memos: dict[Node, np.ndarray] = {}

    def codes(self, name: str) -> tuple[np.ndarray, list[Any]]:
        """Return each post's code in a column's distinct values (the last code: null)."""
        if name not in self._codes:
            if name in self.extras:
                encoded = pc.dictionary_encode(self.posts.column(name).combine_chunks())
                values = encoded.dictionary.to_pylist()
                codes = encoded.indices.fill_null(len(values)).to_numpy()
            else:
                values, codes = [], np.zeros(self.posts.num_rows, np.int64)
            self._codes[name] = (codes, [*values, None])
        return self._codes[name]

    def memo(self, node: Node, size: int) -> np.ndarray:
        """Return the per-value answers of ``node`` kept for this batch (-1: not yet known)."""
        if node not in self._memos:
            self._memos[node] = np.full(size, -1, np.int8)
        return self._memos[node]

    def _value(self, name: str, row: int) -> Any:
        if name not in self._arrays:
            self._arrays[name] = self.posts.column(name).combine_chunks()
        return self._arrays[name][row].as_py()

    def doc(self, row: int, needs: frozenset[str]) -> Doc:
        """Return the post at ``row`` for the one-post evaluator, with the ``needs`` columns."""
        found = self._docs.get(row)
        if found is None:
            found = self._docs[row] = (Doc("", folded=self.folded[row]), set())
        doc, filled = found
        for name in needs - filled:  # a column the table lacks keeps the Doc's default
            if name == "text":
                doc.text = self._value(name, row) or ""
            elif name in self.extras:
                value = self._value(name, row)
                setattr(doc, name, value if name in _SCALARS else value or ())
            filled.add(name)
        return doc


#: The columns of one value; the others hold lists.
_SCALARS: Final = frozenset({"author", "lang", "platform"})


def _needs(node: Node) -> frozenset[str]:
    """Return the post columns (besides the folded text) the one-post evaluator reads."""
    if isinstance(node, Phrase):
        return frozenset({"text"} if node.raw else ())
    if isinstance(node, Tag):
        return frozenset({"hashtags" if node.kind == "hashtag" else "mentions"})
    if isinstance(node, Field):  # the Doc derives all three field views at once
        return _SCALARS
    if isinstance(node, Site):
        return frozenset({"links"})
    return frozenset()


Test = Callable[[BatchView, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Plan:
    """How to evaluate a query over post positions: a mask-returning test and its cost."""

    cost: int
    test: Test


def build_plan(node: Node, word_id: Callable[[str], int]) -> Plan:
    """Return the plan of ``node``; ``word_id`` gives the prefilter id of a word."""
    if isinstance(node, And | Or):
        parts = sorted((build_plan(c, word_id) for c in node.children), key=lambda p: p.cost)
        test = _all(parts) if isinstance(node, And) else _any(parts)
        # later parts only see the rows the first left undecided
        return Plan(parts[0].cost + sum(p.cost for p in parts[1:]) // 4, test)
    if isinstance(node, Not):
        inner = build_plan(node.child, word_id)
        return Plan(inner.cost, lambda view, rows: ~inner.test(view, rows))
    if isinstance(node, Phrase) and not node.raw and len(node.words) == 1:
        word = node.words[0]
        if exact_word(word):
            wid = word_id(word)
            return Plan(_LOOKUP, lambda view, rows: view.words.has(wid, rows))
        if (head := word_prefix(word)) is not None:
            hid = word_id(head)
            return Plan(_LOOKUP, lambda view, rows: view.words.has_start(hid, rows))
    if isinstance(node, Field):
        return _field(node)
    return _one_by_one(node, _precheck(node, word_id))


def _field(node: Field) -> Plan:
    """Decide a field operator once per distinct column value in the batch."""
    matches, name = set_test(node.pattern), node.name

    def test(view: BatchView, rows: np.ndarray) -> np.ndarray:
        codes, values = view.codes(name)
        picked = codes[rows]
        answers = view.memo(node, len(values))
        for code in unique(picked[answers[picked] < 0]).tolist():
            answers[code] = matches(field_values(name, values[code]))
        return answers[picked] == 1  # type: ignore[no-any-return]

    return Plan(_LOOKUP * 2, test)


def _all(parts: list[Plan]) -> Test:
    def test(view: BatchView, rows: np.ndarray) -> np.ndarray:
        alive = np.arange(len(rows))
        for part in parts:
            if not len(alive):
                break
            alive = alive[part.test(view, rows[alive])]
        out = np.zeros(len(rows), bool)
        out[alive] = True
        return out

    return test


def _any(parts: list[Plan]) -> Test:
    def test(view: BatchView, rows: np.ndarray) -> np.ndarray:
        out = np.zeros(len(rows), bool)
        left = np.arange(len(rows))
        for part in parts:
            if not len(left):
                break
            hit = part.test(view, rows[left])
            out[left[hit]] = True
            left = left[~hit]
        return out

    return test


def _one_by_one(node: Node, precheck: Plan | None) -> Plan:
    """Evaluate ``node`` post by post, on the rows ``precheck`` (a necessary condition) keeps."""
    check, needs = predicate(node), _needs(node)

    def test(view: BatchView, rows: np.ndarray) -> np.ndarray:
        out = precheck.test(view, rows) if precheck else np.ones(len(rows), bool)
        todo = np.flatnonzero(out)
        if len(todo):
            out[todo] = [check(view.doc(row, needs)) for row in rows[todo].tolist()]
        return out

    return Plan(_ONE_BY_ONE // (2 if precheck else 1), test)


def _precheck(node: Node, word_id: Callable[[str], int]) -> Plan | None:
    """Return a cheap plan every post matching ``node`` passes (None: none known).

    Every plain word of a matching phrase is a word of the text, and every ``word*`` starts
    one: the phrase's pattern puts non-word characters (or the text's edge) around them.
    Otherwise one of the node's prefilter anchors is in the post's haystack.
    """
    if isinstance(node, Phrase) and not node.raw:
        parts = [
            build_plan(Phrase((word,)), word_id)
            for word in node.words
            if exact_word(word) or word_prefix(word) is not None
        ]
        if parts:
            return Plan(_LOOKUP * len(parts), _all(parts))
    if isinstance(node, Near):
        sides: list[Plan] = []
        for phrases in (node.left, node.right):
            checks = [_precheck(phrase, word_id) for phrase in phrases]
            if all(check is not None for check in checks):
                known = [check for check in checks if check is not None]
                sides.append(Plan(sum(c.cost for c in known), _any(known)))
        return Plan(sum(s.cost for s in sides), _all(sides)) if sides else None
    found = anchors(node)
    if not found:
        return None
    ids = [word_id(anchor) for anchor in sorted(found)]
    return Plan(_LOOKUP * len(ids), _any([_anchor_plan(i) for i in ids]))


def _anchor_plan(anchor: int) -> Plan:
    return Plan(_LOOKUP, lambda view, rows: view.words.has_anchor(anchor, rows))


class BatchEvaluator:
    """The plans of a fixed list of topic trees, applied to (post, topic) pairs."""

    def __init__(self, trees: Sequence[Node], word_id: Callable[[str], int]) -> None:
        self.plans = [build_plan(tree, word_id) for tree in trees]

    def evaluate(self, view: BatchView, posts: np.ndarray, topics: np.ndarray) -> np.ndarray:
        """Tell for each (post, topic) pair whether the topic's query matches the post."""
        keep = np.zeros(len(posts), bool)
        if not len(posts):
            return keep
        order = np.argsort(topics, kind="stable")
        ordered = topics[order]
        firsts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        bounds = np.append(firsts, len(order)).tolist()
        for k, topic in enumerate(ordered[firsts].tolist()):
            picked = order[bounds[k] : bounds[k + 1]]
            keep[picked] = self.plans[topic].test(view, posts[picked])
        return keep
