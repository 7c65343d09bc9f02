"""Keep the numeric post key (``posts.post_key``) and the register of its clashes.

``post_key`` is ``hash(platform, native_id)`` (migration 0081): insights join posts with
their matches on it, one 64-bit column instead of two text columns, and the posts writer
finds the stored copies of a batch's posts with it. A 64-bit hash is not unique, so every
key that two stored posts share is listed in ``post_key_clashes`` when the second of them
is written; a join on the key alone is exact while that table is empty. The text key
decides which posts are the same everywhere: a clash never merges two posts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import duckdb
import pyarrow as pa

from resonanz.store import author_keys
from resonanz.store.slices import update_in_slices

#: What :func:`stored_copies` returns.
_COPIES: Final = pa.schema(
    [("post_key", pa.uint64()), ("platform", pa.string()), ("native_id", pa.string())]
)
#: The key of a post, over a table alias's columns.
KEY_SQL: Final = "hash({0}.platform, {0}.native_id)"
#: Every column of one table but the keys: they are internal (they depend on the DuckDB
#: version) and stay out of what users see and export. Works on stores from before them, too.
PUBLIC_COLUMNS_SQL: Final = (
    f"COLUMNS(lambda c: NOT list_contains({sorted(author_keys.INTERNAL)}, c))"
)


def stored_copies(con: duckdb.DuckDBPyConnection, view: str) -> pa.Table:
    """Return ``post_key, platform, native_id`` of the stored posts sharing a key with ``view``.

    The stored posts are looked up by their 64-bit key alone (the batch's keys are the
    build side of the join); the text key is compared afterwards, on these few rows only.
    A first pass reads the key column only and finds the span of rows holding copies:
    a batch of new posts (a stream, a first import) ends there, and posts seen again are
    mostly recent ones at the end of the table, so the text columns are read from that
    span alone (at 10M posts, 105 → 61 ms for new posts, 94 → 68 ms for recent ones).
    """
    keys = f"SELECT DISTINCT {KEY_SQL.format('i')} FROM {view} i"  # noqa: S608 - fixed names
    span = key_span(con, keys)
    if span is None:
        return _COPIES.empty_table()
    first, last = span
    query = (
        "SELECT t.post_key, t.platform, t.native_id FROM posts t "  # noqa: S608 - fixed names
        f"SEMI JOIN ({keys}) k(post_key) ON t.post_key = k.post_key"
    )
    total = con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
    if last - first > total // 2:  # copies all over the table: one pass is cheaper
        return con.sql(query).to_arrow_table()
    return con.sql(
        f"{query} WHERE t.rowid BETWEEN $first AND $last", params={"first": first, "last": last}
    ).to_arrow_table()


def key_span(con: duckdb.DuckDBPyConnection, keys: str) -> tuple[int, int] | None:
    """Return the first and last rowid of the stored posts whose key the query ``keys``
    (one column) lists, or None when none is stored.

    Only the key column is read: a narrow pass that tells whether wider columns need
    reading at all, and from which span of rows.
    """
    first, last = con.execute(
        "SELECT min(t.rowid), max(t.rowid) FROM posts t "  # noqa: S608 - fixed fragments
        f"SEMI JOIN ({keys}) k(post_key) ON t.post_key = k.post_key"
    ).fetchall()[0]
    return None if first is None else (int(first), int(last))


def upsert_keyed(
    con: duckdb.DuckDBPyConnection,
    rows: pa.Table,
    cols: Sequence[str],
    sets: Mapping[str, str],
    heavy: Sequence[str] = (),
) -> int:
    """Insert the ``rows`` (unique by platform and native_id) new to ``posts``; update the
    others with ``sets`` (column → value over the stored row ``t`` and the incoming row
    ``excluded``).

    Return how many rows were new. New posts get their ``post_key``; keys they share with
    another stored or incoming post are added to ``post_key_clashes``. ``heavy`` columns
    (lists) are set only on the rows where one of them differs: an update that names a
    list column rewrites each row it touches (about 130 µs a row), and a post seen again
    mostly brings new counters and the same hashtags, mentions and links.
    """
    fill_missing(con)  # posts stored by plain SQL would be missed by the lookup
    con.register("__incoming", rows)
    try:
        con.register("__candidates", stored_copies(con, "__incoming"))
        col_list = ", ".join(cols)
        same = "s.platform = i.platform AND s.native_id = i.native_id"
        _record_clashes(con)
        known = _count(con, f"__incoming i SEMI JOIN __candidates s ON {same}")
        author = author_keys.key_sql("i.platform", "i.author")
        con.execute(
            f"INSERT INTO posts ({col_list}, post_key, author_key) "  # noqa: S608 - fixed names
            f"SELECT {col_list}, {KEY_SQL.format('i')}, {author} FROM __incoming i "
            f"ANTI JOIN __candidates s ON {same}"
        )
        author_keys.register(con, "SELECT platform, author AS handle FROM __incoming")
        new = int(rows.num_rows) - known
        if sets and new < rows.num_rows:
            _update(con, same, sets, heavy)
        return new
    finally:
        con.complete()
        con.unregister("__candidates")
        con.unregister("__incoming")


def _update(
    con: duckdb.DuckDBPyConnection, same: str, sets: Mapping[str, str], heavy: Sequence[str]
) -> None:
    """Update the stored copies of ``__incoming``'s known posts; lists only where they differ."""
    source = (
        f"SELECT i.*, {KEY_SQL.format('i')} AS post_key FROM __incoming i "  # noqa: S608
        f"SEMI JOIN __candidates s ON {same}"
    )
    where = (
        "t.post_key = excluded.post_key AND t.platform = excluded.platform "
        "AND t.native_id = excluded.native_id"
    )
    if "author" in sets:  # the author's key follows the author
        sets = {**sets, "author_key": author_keys.key_sql("t.platform", f"({sets['author']})")}
    lists = [c for c in heavy if c in sets]
    light = [f"{c} = {value}" for c, value in sets.items() if c not in lists]
    if lists:
        differ = " OR ".join(f"t.{c} IS DISTINCT FROM excluded.{c}" for c in lists)
        full = [f"{c} = {value}" for c, value in sets.items()]
        con.execute(
            f"UPDATE posts AS t SET {', '.join(full)} FROM ({source}) AS excluded "  # noqa: S608
            f"WHERE {where} AND ({differ})"
        )
        where += f" AND NOT ({differ})"
    if light:
        con.execute(
            f"UPDATE posts AS t SET {', '.join(light)} FROM ({source}) AS excluded "  # noqa: S608
            f"WHERE {where}"
        )


def _record_clashes(con: duckdb.DuckDBPyConnection) -> None:
    """List the keys of ``__incoming`` that another post has too (stored or incoming).

    A stored candidate whose text key no incoming row has shares its key with an incoming
    post of another text key.
    """
    con.execute(
        f"""
        INSERT INTO post_key_clashes
        SELECT DISTINCT post_key FROM (
            SELECT s.post_key FROM __candidates s
            ANTI JOIN __incoming i ON i.platform = s.platform AND i.native_id = s.native_id
            UNION ALL
            SELECT {KEY_SQL.format("i")} AS post_key FROM __incoming i
            GROUP BY ALL HAVING count(*) > 1
        ) c
        WHERE post_key NOT IN (SELECT post_key FROM post_key_clashes)
        """  # noqa: S608 - fixed names
    )


def rehash(con: duckdb.DuckDBPyConnection) -> None:
    """Compute every post's and author's key and the clash registers again (after a change
    of hash()), in slices (see :func:`resonanz.store.slices.update_in_slices`)."""
    update_in_slices(con, "posts", f"post_key = {KEY_SQL.format('posts')}")
    _refill_clashes(con)
    author_keys.rehash(con)


def fill_missing(con: duckdb.DuckDBPyConnection) -> None:
    """Give a key to the posts written without one (by a writer that left it out)."""
    missing = con.execute("SELECT count(*) FROM posts WHERE post_key IS NULL").fetchall()
    if missing[0][0]:
        con.execute(
            f"UPDATE posts SET post_key = {KEY_SQL.format('posts')} WHERE post_key IS NULL"  # noqa: S608
        )
        _refill_clashes(con)
    con.complete()


def _refill_clashes(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DELETE FROM post_key_clashes")
    con.execute(
        "INSERT INTO post_key_clashes "
        "SELECT post_key FROM posts GROUP BY post_key HAVING count(*) > 1"
    )


def _count(con: duckdb.DuckDBPyConnection, source: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {source}").fetchall()  # noqa: S608 - fixed names
    return int(rows[0][0])
