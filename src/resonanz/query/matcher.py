"""Match Arrow batches of posts against many topics at once (the stream evaluator)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa

from resonanz.errors import ConfigError, QuerySyntaxError
from resonanz.query.batch import BatchEvaluator, BatchView
from resonanz.query.candidates import CandidateIndex
from resonanz.query.fold import fold
from resonanz.query.nodes import Node
from resonanz.query.parser import parse
from resonanz.query.prefilter import Pairs, Prefilter, used_fields
from resonanz.query.sql import FOLDED_TEXT
from resonanz.query.words import WordIndex

MATCH_SCHEMA: Final = pa.schema(
    [
        pa.field("platform", pa.string(), nullable=False),
        pa.field("native_id", pa.string(), nullable=False),
        pa.field("topic", pa.string(), nullable=False),
    ]
)

#: Columns besides the text that operators look at; the first three hold one value.
_EXTRAS: Final = ("author", "lang", "platform", "hashtags", "mentions", "links")
_SCALAR: Final = frozenset(_EXTRAS[:3])


_FOLD_LOCK = threading.Lock()
_FOLD_CON: list[duckdb.DuckDBPyConnection] = []


def _fold_connection() -> duckdb.DuckDBPyConnection:
    """Return the process's in-memory DuckDB used to fold texts (made on first use)."""
    if not _FOLD_CON:
        _FOLD_CON.append(duckdb.connect(config={"threads": 1}))
    return _FOLD_CON[0]


def parse_topics(topics: Mapping[str, str]) -> dict[str, Node]:
    """Parse every topic's query; a bad one raises :class:`ConfigError` naming the topic."""
    trees: dict[str, Node] = {}
    for name, query in topics.items():
        try:
            trees[name] = parse(query)
        except QuerySyntaxError as exc:
            raise ConfigError(
                f"topic {name!r} has an invalid query: {exc}; fix it in resonanz.toml "
                "or with `resonanz topics add`"
            ) from None
    return trees


class TopicMatcher:
    """A callable posts table → (platform, native_id, topic) table for a fixed set of topics.

    Batches of at least ``duckdb_fold_from`` posts are folded in DuckDB (faster per post);
    smaller ones in Python. Both fold the same way.
    """

    def __init__(self, topics: Mapping[str, str], *, duckdb_fold_from: int = 256) -> None:
        trees = parse_topics(topics)
        self.names = list(trees)
        self.prefilter = Prefilter(list(trees.values()))
        self.evaluator = BatchEvaluator(list(trees.values()), self.prefilter.anchor_id)
        self._lengths = self.prefilter.anchor_lengths()
        self._words = self.prefilter.word_anchors()
        self.index = CandidateIndex(self.prefilter, len(self.names))
        self.fields = used_fields(trees.values())
        self.duckdb_fold_from = duckdb_fold_from

    def __call__(self, posts: pa.Table) -> pa.Table:
        """Return which topics each post matches, in post order."""
        if posts.num_rows == 0:
            return MATCH_SCHEMA.empty_table()
        folded = self._fold(posts.column("text"))
        extras = [name for name in _EXTRAS if name in self.fields and name in posts.column_names]
        hits = self.prefilter.text_hits(folded)
        found = [(hits.posts, hits.anchors)]
        found.extend(self.prefilter.column_pairs(name, posts.column(name)) for name in extras)
        present = self.index.present(
            (np.concatenate([p for p, _ in found]), np.concatenate([a for _, a in found]))
        )
        matched, undecided = self.index.settle_always(present, posts.num_rows)
        candidates = self.index.candidates(present)
        keys = present[0] * self.index.anchors + present[1]
        words = WordIndex(hits, self._lengths, self._words, keys)
        view = BatchView(posts, folded, extras, words)
        evaluated = self._evaluate(
            view,
            (
                np.concatenate([candidates[0], undecided[0]]),
                np.concatenate([candidates[1], undecided[1]]),
            ),
        )
        return self._table(
            posts,
            np.concatenate([matched[0], evaluated[0]]),
            np.concatenate([matched[1], evaluated[1]]),
        )

    def _evaluate(self, view: BatchView, pairs: Pairs) -> Pairs:
        """Evaluate the queries of the (post, topic) ``pairs``; return the pairs that match."""
        keep = self.evaluator.evaluate(view, pairs[0], pairs[1])
        return pairs[0][keep], pairs[1][keep]

    def _fold(self, texts: pa.ChunkedArray) -> list[str]:
        """Fold a text column; large batches in DuckDB, with the SQL evaluator's expression."""
        if len(texts) < self.duckdb_fold_from:
            return [fold(text or "") for text in texts.to_pylist()]
        table = pa.table({"text": texts.fill_null("")})
        with _FOLD_LOCK:
            con = _fold_connection()
            con.register("__texts", table)
            try:
                sql = f"SELECT {FOLDED_TEXT} FROM __texts p"  # noqa: S608 - a fixed expression
                result = con.sql(sql).to_arrow_table()
            finally:
                con.unregister("__texts")
        return result.column(0).to_pylist()  # type: ignore[no-any-return]

    def _table(self, posts: pa.Table, post_ids: np.ndarray, topic_ids: np.ndarray) -> pa.Table:
        """Build the match table of the (post, topic) pairs, ordered by post then topic."""
        order = np.lexsort((topic_ids, post_ids))
        take = pa.array(post_ids[order])
        names = pa.array(self.names, pa.string())
        return pa.Table.from_arrays(
            [
                posts.column("platform").take(take).cast(pa.string()),
                posts.column("native_id").take(take).cast(pa.string()),
                names.take(pa.array(topic_ids[order])),
            ],
            schema=MATCH_SCHEMA,
        )
