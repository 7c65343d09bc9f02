"""Match Arrow batches of posts against many topics at once (the stream evaluator)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Final

import duckdb
import numpy as np
import pyarrow as pa

from resonanz.errors import ConfigError, QuerySyntaxError
from resonanz.query.evaluate import Doc, predicate
from resonanz.query.fold import fold
from resonanz.query.nodes import Node
from resonanz.query.parser import parse
from resonanz.query.prefilter import Hits, Prefilter, used_fields
from resonanz.query.sql import FOLDED_TEXT

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
        self.predicates = [predicate(tree) for tree in trees.values()]
        self.prefilter = Prefilter(list(trees.values()))
        self.fields = used_fields(trees.values())
        self.duckdb_fold_from = duckdb_fold_from

    def __call__(self, posts: pa.Table) -> pa.Table:
        """Return which topics each post matches, in post order."""
        if posts.num_rows == 0:
            return MATCH_SCHEMA.empty_table()
        folded = self._fold(posts.column("text"))
        hits: Hits = {}
        self.prefilter.scan_texts(folded, hits)
        extras = [name for name in _EXTRAS if name in self.fields and name in posts.column_names]
        for name in extras:
            self.prefilter.scan_column(name, posts.column(name), hits)
        found: list[tuple[int, int]] = []  # (post, topic)
        rows = sorted(hits)
        taken = posts.take(pa.array(rows, pa.int64())).select(["text", *extras]).to_pylist()
        predicates = self.predicates
        for post, row in zip(rows, taken, strict=True):
            candidates, present = hits[post]
            if self.prefilter.always:
                self._decide_always(post, present, candidates, found)
            if candidates:
                doc = Doc(row.pop("text") or "", folded=folded[post], **row)
                found.extend((post, index) for index in candidates if predicates[index](doc))
        return self._table(posts, found, rows)

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

    def _decide_always(
        self, post: int, present: set[int], candidates: set[int], found: list[tuple[int, int]]
    ) -> None:
        """Settle the topics without anchors from the anchors present, or make them candidates."""
        prefilter = self.prefilter
        if prefilter.always_relevant.isdisjoint(present):
            found.extend((post, index) for index in prefilter.match_without_anchors)
            return
        for index in prefilter.always:
            known = prefilter.decide(index, present)
            if known is None:
                candidates.add(index)
            elif known:
                found.append((post, index))

    def _table(self, posts: pa.Table, found: list[tuple[int, int]], rows: list[int]) -> pa.Table:
        """Build the match table of ``found`` plus the NOT-only matches of posts without hits."""
        post_ids = np.fromiter((post for post, _ in found), np.int64, len(found))
        topic_ids = np.fromiter((topic for _, topic in found), np.int64, len(found))
        quiet = self.prefilter.match_without_anchors
        if quiet:  # posts without any anchor match NOT-only topics like ``-spam``
            silent = np.setdiff1d(np.arange(posts.num_rows), np.array(rows, np.int64))
            post_ids = np.concatenate([post_ids, np.repeat(silent, len(quiet))])
            topic_ids = np.concatenate([topic_ids, np.tile(np.array(quiet), len(silent))])
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


def _column(posts: pa.Table, name: str) -> list[Any]:
    if name in posts.column_names:
        return posts.column(name).to_pylist()  # type: ignore[no-any-return]
    return [None] * posts.num_rows
