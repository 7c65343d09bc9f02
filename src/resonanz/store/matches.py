"""Store topic matches once each, without a key index on the matches table.

``matches`` has no primary key (migration 0080): maintaining one over three text columns,
about five rows per post, cost more than everything else stored per post, and DuckDB keeps
such an index in memory. Uniqueness is kept here instead. ``matched_posts`` lists one 64-bit
key per post that may have stored matches; a batch's posts missing from it get their
matches inserted directly, and only the others are compared with their stored matches.
The register may list a post without matches (that only costs a comparison) but never
miss one with matches: whoever writes ``matches`` adds its posts' keys here
(:func:`register_topic_posts`).
"""

from __future__ import annotations

from typing import Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from resonanz.store import author_keys, post_keys

_KEYS: Final = ["platform", "native_id", "topic"]
#: The key of a post; DuckDB's ``hash`` may change between versions, hence the probe.
_PROBE: Final = "hash('resonanz', 'probe')"


def insert_matches(con: duckdb.DuckDBPyConnection, matches: pa.Table) -> None:
    """Store (platform, native_id, topic) matches, ignoring ones already stored.

    Call inside the batch's transaction. The cost follows the batch, not the table, except
    for batches holding posts matched before (a re-import): those compare with the stored
    matches of their posts.
    """
    if matches.num_rows == 0:
        return
    rows, posts = distinct_matches(matches.select(_KEYS))
    con.register("__matches_in", rows)
    con.register("__matched_in", posts)
    try:
        keys = con.sql("SELECT hash(platform, native_id) AS post_key FROM __matched_in")
        keys = keys.to_arrow_table()
        con.register("__post_keys", keys)
        # the register is scanned past a hash table of the batch's keys, not the other way
        seen = con.sql(
            "SELECT DISTINCT r.post_key FROM matched_posts r "
            "SEMI JOIN __post_keys k ON r.post_key = k.post_key"
        ).to_arrow_table()
        if seen.num_rows == 0:
            con.execute("INSERT INTO matches SELECT platform, native_id, topic FROM __matches_in")
            con.execute("INSERT INTO matched_posts SELECT post_key FROM __post_keys")
            return
        con.register("__seen_keys", seen)
        _insert_after_stored(con)
    finally:
        con.complete()
        for view in ("__seen_keys", "__post_keys", "__matched_in", "__matches_in"):
            con.unregister(view)


def distinct_matches(table: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Return the distinct (platform, native_id, topic) rows and their distinct posts.

    A matcher gives each post's matches together, so a batch is runs of one post each: the
    posts come from the runs' first rows (a twentieth of the rows to compare), and a row can
    only repeat another if two runs are of one post or a run names a topic twice.
    """
    if table.num_rows < 2 or any(column.null_count for column in table.columns):
        return _with_posts(distinct_rows(table))
    platform, native_id = table.column("platform"), table.column("native_id")
    same = pc.and_(_same_as_before(platform), _same_as_before(native_id))
    first = np.ones(table.num_rows, dtype=bool)
    first[1:] = ~np.asarray(same.to_numpy(zero_copy_only=False))
    posts = table.select(["platform", "native_id"]).filter(first)
    post_codes = row_codes(posts)
    topics = pc.dictionary_encode(table.column("topic").combine_chunks())
    run = np.cumsum(first) - 1
    key = post_codes[run] * len(topics.dictionary) + topics.indices.to_numpy().astype(np.int64)
    if repeats(post_codes) or repeats(key):
        return _with_posts(_first_of_each(table, key))
    return table, posts


def _with_posts(rows: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Return distinct match ``rows`` beside their distinct (platform, native_id) posts."""
    return rows, distinct_rows(rows.select(["platform", "native_id"]))


def _same_as_before(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Return whether each value but the first equals the one before it."""
    return pc.equal(column.slice(1), column.slice(0, len(column) - 1))


def repeats(codes: np.ndarray) -> bool:
    """Return whether a code occurs twice (an unstable sort: the usual answer is no)."""
    ordered = np.sort(codes)
    return bool((ordered[1:] == ordered[:-1]).any())


def _first_of_each(table: pa.Table, key: np.ndarray) -> pa.Table:
    """Return the rows of ``table`` whose ``key`` came first, in their order."""
    order = np.argsort(key, kind="stable")
    repeated = key[order[1:]] == key[order[:-1]]
    return table.take(pa.array(np.sort(order[np.concatenate([[True], ~repeated])])))


def distinct_rows(table: pa.Table) -> pa.Table:
    """Return ``table`` without repeated rows (itself when there are none, the usual case).

    Integer codes of each column's distinct values, sorted, find repeats several times
    faster than a group-by over the text columns. Whether there is a repeat at all is asked
    first, of an unstable sort: a fifteenth of the stable one's time on a batch's matches.
    """
    if table.num_rows < 2 or any(column.null_count for column in table.columns):
        return table.group_by(table.column_names).aggregate([]) if table.num_rows else table
    key = row_codes(table)
    return _first_of_each(table, key) if repeats(key) else table


def row_codes(table: pa.Table) -> np.ndarray:
    """Return one integer per row of ``table`` (no nulls), equal exactly where the rows are.

    Each column's values are numbered by dictionary encoding; the numbers are combined
    positionally, so the product of the columns' distinct counts must stay below 2**63.
    """
    key = np.zeros(table.num_rows, np.int64)
    for column in table.columns:
        encoded = pc.dictionary_encode(column.combine_chunks())
        key = key * len(encoded.dictionary) + encoded.indices.to_numpy().astype(np.int64)
    return key


def _insert_after_stored(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the matches of ``__matches_in`` that are not stored; register the new posts."""
    con.execute(
        """
        INSERT INTO matches
        WITH incoming AS (
            SELECT i.*, hash(i.platform, i.native_id) AS post_key FROM __matches_in i
        ),
        -- only the posts matched before are compared, with their own stored matches
        again AS (SELECT * FROM incoming WHERE post_key IN (SELECT post_key FROM __seen_keys)),
        stored AS MATERIALIZED (
            SELECT m.platform, m.native_id, m.topic FROM matches m
            SEMI JOIN (SELECT DISTINCT platform, native_id FROM again) a
              ON a.platform = m.platform AND a.native_id = m.native_id
        )
        SELECT platform, native_id, topic FROM incoming
        WHERE post_key NOT IN (SELECT post_key FROM __seen_keys)
        UNION ALL
        SELECT a.platform, a.native_id, a.topic FROM again a
        ANTI JOIN stored s
          ON s.platform = a.platform AND s.native_id = a.native_id AND s.topic = a.topic
        """
    )
    con.execute(
        "INSERT INTO matched_posts SELECT post_key FROM __post_keys "
        "WHERE post_key NOT IN (SELECT post_key FROM __seen_keys)"
    )


def register_topic_posts(con: duckdb.DuckDBPyConnection, topic: str) -> None:
    """Add the keys of the posts with stored matches of ``topic`` that are not listed yet.

    Call after writing matches other than through :func:`insert_matches`, in the same
    transaction.
    """
    con.execute(
        """
        INSERT INTO matched_posts
        SELECT DISTINCT hash(m.platform, m.native_id) AS post_key FROM matches m
        WHERE m.topic = ?
          AND NOT EXISTS (
              SELECT 1 FROM matched_posts r WHERE r.post_key = hash(m.platform, m.native_id)
          )
        """,
        [topic],
    )


def check_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Compute the post and author keys again when this DuckDB hashes differently from the
    one before.

    The hash function can only change with the DuckDB library, so the writer checks once,
    when it opens the store. The keys of ``matches`` are computed when read and follow by
    themselves; the stored ones (``matched_posts``, ``posts.post_key``, the author keys)
    are recomputed. The probe goes first and comes back last: without it, readers use the
    text keys (insights/keys.py), so the keys can be recomputed in slices that each commit
    by themselves, within the writer's memory limit at any size, and an interrupted run
    starts again at the next open. Posts stored without a key get theirs too, and posts
    and edges without their authors' keys (:func:`resonanz.store.author_keys.fill_missing`).
    """
    rows = con.execute(
        f"SELECT count(*) FILTER (WHERE key_probe = {_PROBE}), count(*) FROM matched_posts_hash"  # noqa: S608
    ).fetchall()
    if rows == [(1, 1)]:
        post_keys.fill_missing(con)
        author_keys.fill_missing(con)
        return
    con.execute("DELETE FROM matched_posts_hash")
    post_keys.rehash(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM matched_posts")
        con.execute(
            "INSERT INTO matched_posts SELECT DISTINCT hash(platform, native_id) FROM matches"
        )
        con.execute(f"INSERT INTO matched_posts_hash VALUES ({_PROBE})")  # noqa: S608
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
