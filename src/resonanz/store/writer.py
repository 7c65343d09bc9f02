"""Idempotent writes of record batches: posts, authors, edges, matches, quarantine, cursors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.records import (
    AUTHOR_SCHEMA,
    EDGE_SCHEMA,
    POST_BASE_FIELDS,
    POST_SCHEMA,
    conform,
    utcnow,
)
from resonanz.store import author_keys
from resonanz.store.matches import insert_matches as store_matches
from resonanz.store.matches import repeats, row_codes
from resonanz.store.post_keys import key_span, upsert_keyed

_POST_COLS = [f.name for f in POST_BASE_FIELDS]
_KEEP_ON_CONFLICT = {
    "platform",
    "native_id",
    "collected_at",
    "likes",
    "reposts",
    "replies",
    "views",
}
_COUNTERS = ("likes", "reposts", "replies", "views")


@dataclass(frozen=True)
class QuarantineItem:
    """A record that could not be stored, with the reason and the raw input."""

    source: str
    location: str  # where in the source: "file.jsonl:17", "page 3 item 2", …
    reason: str
    raw: bytes


def latest_per_key(table: pa.Table, keys: Sequence[str], order: str) -> pa.Table:
    """Keep one row per ``keys``: the one with the greatest ``order`` (last wins on ties).

    Column-wise: sort by (keys, order, position) and keep each key's last row. A batch
    whose keys are all different, the usual case, is told apart first by its keys' integer
    codes (25,000 posts: 2.5 instead of 6.2 ms; their authors: 2.4 instead of 11.1 ms).
    """
    if table.num_rows < 2:
        return table
    key_columns = table.select(list(keys))
    nulls = any(column.null_count for column in key_columns.columns)
    if not nulls and not repeats(row_codes(key_columns)):
        return table
    position = pa.array(np.arange(table.num_rows, dtype=np.int64))
    indexed = table.select([*keys, order]).append_column("__i", position)
    ordered = indexed.sort_by([(k, "ascending") for k in (*keys, order, "__i")])
    last = np.ones(ordered.num_rows, dtype=bool)
    if ordered.num_rows > 1:
        same = np.ones(ordered.num_rows - 1, dtype=bool)
        for key in keys:
            col = ordered.column(key)
            after, before = col.slice(1), col.slice(0, ordered.num_rows - 1)
            both_null = pc.and_(pc.is_null(after), pc.is_null(before))
            equal = pc.fill_null(pc.equal(after, before), both_null)
            same &= equal.to_numpy(zero_copy_only=False)
        last[:-1] = ~same
    if last.all():
        return table
    picks = np.sort(ordered.column("__i").to_numpy()[last])
    return table.take(pa.array(picks))


def upsert_posts(con: duckdb.DuckDBPyConnection, posts: pa.Table) -> int:
    """Insert or update posts by (platform, native_id); return how many rows were new.

    On a repeated post the newest observation (by ``collected_at``) wins for the engagement
    counters; everything else is refreshed only from a newer observation too. Each
    observation's counters are also appended to ``post_metrics``. Enrichment columns that
    come with ``posts`` are stored as given.
    """
    if posts.num_rows == 0:
        return 0
    extra = [
        c
        for c in ("sentiment", "sentiment_score", "emotion", "aspects", "intents", "enriched")
        if c in posts.column_names
    ]
    base = conform(posts, POST_SCHEMA)
    for name in extra:
        base = base.append_column(name, posts.column(name))
    batch = latest_per_key(base, ["platform", "native_id"], "collected_at")
    cols = _POST_COLS + extra
    newer = "excluded.collected_at >= t.collected_at"
    sets = {
        c: f"CASE WHEN {newer} THEN excluded.{c} ELSE t.{c} END"
        for c in cols
        if c not in ("platform", "native_id", "collected_at")
    }
    sets["collected_at"] = "greatest(t.collected_at, excluded.collected_at)"
    lists = [f.name for f in batch.schema if pa.types.is_list(f.type)]
    # Stored copies are found by the numeric post key, then compared by the text key.
    new = upsert_keyed(con, batch, cols, sets, heavy=lists)
    con.register("__posts_in", batch)
    try:
        has_counts = " OR ".join(f"{c} IS NOT NULL" for c in _COUNTERS)
        con.execute(
            "INSERT INTO post_metrics SELECT platform, native_id, collected_at, "  # noqa: S608
            f"likes, reposts, replies, views FROM __posts_in WHERE {has_counts}"
        )
        return new
    finally:
        con.complete()
        con.unregister("__posts_in")


def _upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: Sequence[str],
    rows: pa.Table,
    cols: Sequence[str],
    sets: Sequence[str],
) -> int:
    """Insert the ``rows`` (unique by ``keys``) that are new to ``table``, update the others.

    ``sets`` are the assignments of the update, over the stored row ``t`` and the incoming
    row ``excluded``. ``INSERT … ON CONFLICT`` is avoided on purpose: it pins memory that
    grows with the table (imports of 25,000-post batches ran out of 48 MB after 150,000
    posts), while a join against the stored keys and a plain insert stay flat. Return how
    many rows were new.
    """
    con.register("__incoming", rows)
    try:
        stored = _stored_keys(con, table, keys, "__incoming")
        col_list = ", ".join(cols)
        if stored.num_rows == 0:
            con.execute(
                f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM __incoming"  # noqa: S608
            )
            return int(rows.num_rows)
        con.register("__stored_keys", stored)
        same = " AND ".join(f"s.{k} = i.{k}" for k in keys)
        con.execute(
            f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM __incoming i "  # noqa: S608
            f"WHERE NOT EXISTS (SELECT 1 FROM __stored_keys s WHERE {same})"
        )
        if sets:
            matched = " AND ".join(f"t.{k} = excluded.{k}" for k in keys)
            con.execute(
                f"UPDATE {table} AS t SET {', '.join(sets)} FROM ("  # noqa: S608
                f"SELECT i.* FROM __incoming i SEMI JOIN __stored_keys s ON {same}) AS excluded "
                f"WHERE {matched}"
            )
        con.complete()
        con.unregister("__stored_keys")
        return int(rows.num_rows - stored.num_rows)
    finally:
        con.complete()
        con.unregister("__incoming")


def _stored_keys(
    con: duckdb.DuckDBPyConnection, table: str, keys: Sequence[str], view: str
) -> pa.Table:
    """Return the keys of ``view`` that ``table`` already holds.

    An inner join, so that DuckDB builds its hash table from the (small) incoming batch and
    streams the stored keys past it: memory stays bounded by the batch, not by the table.
    """
    on = " AND ".join(f"t.{k} = i.{k}" for k in keys)
    picked = ", ".join(f"i.{k}" for k in keys)
    query = f"SELECT {picked} FROM {view} i JOIN {table} t ON {on}"  # noqa: S608
    return con.sql(query).to_arrow_table()


def upsert_authors(con: duckdb.DuckDBPyConnection, authors: pa.Table) -> int:
    """Insert or refresh author profiles by (platform, handle); newest ``updated_at`` wins.

    Fields the newer observation leaves empty keep their stored value.
    """
    if authors.num_rows == 0:
        return 0
    extra = [
        c
        for c in ("stakeholder", "stakeholder_confidence", "stakeholder_evidence", "enriched")
        if c in authors.column_names
    ]
    base = conform(authors, AUTHOR_SCHEMA)
    for name in extra:
        base = base.append_column(name, authors.column(name))
    batch = latest_per_key(base, ["platform", "handle"], "updated_at")
    cols = AUTHOR_SCHEMA.names + extra
    newer = "excluded.updated_at >= t.updated_at"
    # A field the whole batch leaves empty keeps every stored value (both branches pick
    # t.c): it is left out of the update, which then rewrites far fewer columns.
    merged = {
        c: f"CASE WHEN {newer} THEN coalesce(excluded.{c}, t.{c}) "
        f"ELSE coalesce(t.{c}, excluded.{c}) END"
        for c in cols
        if c not in ("platform", "handle", "updated_at")
        and batch.column(c).null_count < batch.num_rows
    }
    # DuckDB updates a list value by deleting and inserting the whole row, key index
    # included: ~130 µs a row with its commit, against ~1 µs for plain values. So list
    # columns are set first (while t.updated_at is the stored one), and only where the
    # value really changes; the stakeholder evidence of a known author seldom does.
    nested = [c for c in merged if pa.types.is_nested(batch.schema.field(c).type)]
    if nested:
        con.register("__authors_in", batch)
        try:
            for c in nested:
                value = merged.pop(c)
                con.execute(
                    f"UPDATE authors AS t SET {c} = {value} "  # noqa: S608 - fixed names
                    "FROM __authors_in AS excluded WHERE t.platform = excluded.platform "
                    f"AND t.handle = excluded.handle AND ({value}) IS DISTINCT FROM t.{c}"
                )
        finally:
            con.complete()
            con.unregister("__authors_in")
    sets = [f"{c} = {value}" for c, value in merged.items()]
    sets.append("updated_at = greatest(t.updated_at, excluded.updated_at)")
    return _upsert(con, "authors", ("platform", "handle"), batch, cols, sets)


def insert_edges(con: duckdb.DuckDBPyConnection, edges: pa.Table) -> int:
    """Insert interaction edges, ignoring ones already stored; return how many were new.

    An edge whose ``dst_author`` is unknown gets the author of its target post when that post
    is stored (call after :func:`upsert_posts` of the same batch).

    Every step reads only what the batch names: the stored authors of its target posts and
    the stored edges of its posts. A join of the batch against all posts made DuckDB size
    the de-duplication by the table, so an import's peak memory grew with the store.
    """
    if edges.num_rows == 0:
        return 0
    batch = conform(edges, EDGE_SCHEMA)
    batch = batch.filter(pc.invert(pc.is_null(batch.column("src_author"))))
    if batch.num_rows == 0:
        return 0
    con.register("__edges_in", batch)
    try:
        con.register("__target_authors", _target_authors(con))
        before = _count(con, "edges")
        con.execute(
            f"""
            INSERT INTO edges (platform, kind, src_author, dst_author, post_id, target_post_id,
                               created_at, src_key, dst_key)
            WITH incoming AS (
                SELECT DISTINCT ON (e.platform, e.kind, e.post_id,
                                    coalesce(e.dst_author, a.author), e.target_post_id)
                       e.platform, e.kind, e.src_author,
                       coalesce(e.dst_author, a.author) AS dst_author,
                       e.post_id, e.target_post_id, e.created_at
                FROM __edges_in e
                LEFT JOIN __target_authors a
                  ON a.platform = e.platform AND a.native_id = e.target_post_id
            ),
            -- Only the stored edges of this batch's posts: a plain NOT EXISTS over all
            -- edges builds its hash table from the whole table, which grows with the store.
            stored AS MATERIALIZED (
                SELECT x.platform, x.kind, x.post_id, x.dst_author, x.target_post_id
                FROM edges x
                WHERE x.post_id IN (SELECT post_id FROM __edges_in)
            )
            SELECT i.*, {author_keys.key_sql("i.platform", "i.src_author")},
                   {author_keys.key_sql("i.platform", "i.dst_author")}
            FROM incoming i
            WHERE NOT EXISTS (
                SELECT 1 FROM stored x
                WHERE x.platform = i.platform AND x.kind = i.kind AND x.post_id = i.post_id
                  AND x.dst_author IS NOT DISTINCT FROM i.dst_author
                  AND x.target_post_id IS NOT DISTINCT FROM i.target_post_id
            )
            """  # noqa: S608 - fixed fragments
        )
        # authors of target posts are stored posts' authors, registered already
        author_keys.register(
            con,
            "SELECT platform, src_author AS handle FROM __edges_in "
            "UNION ALL SELECT platform, dst_author FROM __edges_in",
        )
        return _count(con, "edges") - before
    finally:
        con.complete()
        con.unregister("__target_authors")
        con.unregister("__edges_in")


_TARGET_SCHEMA: Final = pa.schema(
    [("platform", pa.string()), ("native_id", pa.string()), ("author", pa.string())]
)
#: The stored posts a batch's edges point at without knowing their author. Their key below
#: is the posts' ``post_key`` (see :data:`resonanz.store.post_keys.KEY_SQL`).
_TARGETS: Final = """
    (SELECT DISTINCT platform, target_post_id FROM __edges_in
     WHERE dst_author IS NULL AND target_post_id IS NOT NULL) t
"""


def _target_authors(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Return (platform, native_id, author) of the stored posts that ``__edges_in`` targets.

    Reading the author of every stored post cost 1.5 s per batch at 10M posts. So the
    targets are first found by their numeric key, a narrow column, and the authors are then
    read only from the span of rows between the first and the last target found: replies
    mostly answer recent posts, which lie together at the end of the table (0.1 s). A batch
    whose targets are not stored (the usual case in a filtered stream) reads no author.
    """
    keys = f"SELECT DISTINCT hash(t.platform, t.target_post_id) FROM {_TARGETS}"  # noqa: S608
    span = key_span(con, keys)
    if span is None:
        return _TARGET_SCHEMA.empty_table()
    return con.sql(
        "SELECT p.platform, p.native_id, p.author "  # noqa: S608 - fixed names
        f"FROM {_TARGETS} JOIN posts p "
        "ON p.platform = t.platform AND p.native_id = t.target_post_id "
        "WHERE p.rowid BETWEEN $first AND $last",
        params={"first": span[0], "last": span[1]},
    ).to_arrow_table()


# --- topic matches: stored by resonanz.store.matches (no key index on the table) ---
def insert_matches(con: duckdb.DuckDBPyConnection, matches: pa.Table) -> None:
    """Store (platform, native_id, topic) matches, ignoring ones already stored."""
    store_matches(con, matches)


# --- end of the topic matches block ---


def quarantine(con: duckdb.DuckDBPyConnection, items: Iterable[QuarantineItem]) -> int:
    """Store bad input with its reason; the same (source, location) is stored once."""
    rows = [(i.source, i.location, i.reason, i.raw, utcnow()) for i in items]
    if not rows:
        return 0
    con.executemany(
        "INSERT INTO quarantine (source, location, reason, raw, created_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        rows,
    )
    return len(rows)


def get_cursor(con: duckdb.DuckDBPyConnection, source: str) -> str | None:
    """Return the stored resume cursor of ``source``, or None."""
    row = con.execute("SELECT cursor FROM cursors WHERE source = ?", [source]).fetchone()
    return None if row is None else str(row[0])


def set_cursor(con: duckdb.DuckDBPyConnection, source: str, cursor: str) -> None:
    """Store the resume cursor of ``source`` (call inside the batch's transaction)."""
    con.execute(
        "INSERT INTO cursors VALUES (?, ?, ?) ON CONFLICT (source) DO UPDATE "
        "SET cursor = excluded.cursor, updated_at = excluded.updated_at",
        [source, cursor, utcnow()],
    )


def get_json_cursor(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, object] | None:
    """Return a cursor stored with :func:`set_json_cursor`."""
    raw = get_cursor(con, source)
    return None if raw is None else dict(json.loads(raw))


def set_json_cursor(con: duckdb.DuckDBPyConnection, source: str, value: dict[str, object]) -> None:
    """Store a JSON-serialisable cursor."""
    set_cursor(con, source, json.dumps(value, sort_keys=True, default=_json_default))


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - fixed names
    return int(row[0]) if row else 0
