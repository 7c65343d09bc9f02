"""Keep the numeric author keys and the registers of keyed authors and of their clashes.

An author's key is ``hash(platform, handle)`` (migration 0084). ``posts.author_key`` holds
the key of a post's author, ``edges.src_key`` and ``edges.dst_key`` those of an edge's
ends: insights group and join authors on one 64-bit column instead of two text columns.
A 64-bit hash is not unique, so ``author_keys`` lists every (platform, handle) that got a
key, and ``author_key_clashes`` every key that two of them share; grouping by the key
alone is exact while that table is empty (:func:`resonanz.insights.keys.author_keys_usable`).

The writers of posts and edges call :func:`register` with each batch's authors;
:func:`fill_missing` keys the rows that plain SQL wrote without a key. The register may
keep an author that no row names any more (a renamed or forgotten one is removed where
known): that can only report a clash that is none, which costs speed, never an answer.
"""

from __future__ import annotations

from functools import partial
from typing import Final

import duckdb
import pyarrow as pa

from resonanz.store.slices import SLICE, update_in_slices


def key_sql(platform: str, handle: str) -> str:
    """Return the SQL of the key of the author ``handle`` on ``platform`` (NULL for none).

    >>> key_sql("p.platform", "p.author")
    'CASE WHEN p.author IS NULL THEN NULL ELSE hash(p.platform, p.author) END'
    """
    return f"CASE WHEN {handle} IS NULL THEN NULL ELSE hash({platform}, {handle}) END"


#: The columns that hold author keys: (table, key column, platform column, handle column).
KEYED: Final = (
    ("posts", "author_key", "platform", "author"),
    ("edges", "src_key", "platform", "src_author"),
    ("edges", "dst_key", "platform", "dst_author"),
)
#: Columns internal to the store: they depend on the DuckDB version and stay out of what
#: users see and export.
INTERNAL: Final = frozenset({"post_key", "author_key", "src_key", "dst_key"})


def register(con: duckdb.DuckDBPyConnection, pairs: str) -> None:
    """Add the authors that the query ``pairs`` lists (columns ``platform, handle``) to
    ``author_keys``, and the keys they share with another author to ``author_key_clashes``.

    One join of the batch with the register finds what needs work: authors without a
    registered key, and keys registered for another author. Most authors of a batch are
    registered already, so that is mostly nothing, and only the few rows found are
    compared further.
    """
    found = con.sql(
        f"""
        SELECT DISTINCT i.author_key, i.platform, i.handle
        FROM (SELECT platform, handle, hash(platform, handle) AS author_key
              FROM ({pairs}) a WHERE handle IS NOT NULL) i
        LEFT JOIN author_keys r ON r.author_key = i.author_key
        WHERE r.author_key IS NULL OR r.platform <> i.platform OR r.handle <> i.handle
        """  # noqa: S608 - fixed fragments
    ).to_arrow_table()
    if found.num_rows:
        _settle(con, found)


def _settle(con: duckdb.DuckDBPyConnection, found: pa.Table) -> None:
    """Register the new authors among ``found`` and list the keys that clash."""
    con.register("__authors_in", found)
    try:
        known = con.sql(
            "SELECT r.author_key, r.platform, r.handle FROM author_keys r "
            "SEMI JOIN __authors_in i ON r.author_key = i.author_key"
        ).to_arrow_table()
        con.register("__authors_known", known)
        con.execute(
            """
            INSERT INTO author_key_clashes
            SELECT author_key FROM (SELECT * FROM __authors_in UNION SELECT * FROM __authors_known)
            GROUP BY author_key HAVING count(*) > 1
            EXCEPT SELECT author_key FROM author_key_clashes
            """
        )
        con.execute(
            "INSERT INTO author_keys SELECT i.* FROM __authors_in i "
            "ANTI JOIN __authors_known k ON k.platform = i.platform AND k.handle = i.handle"
        )
    finally:
        con.complete()
        con.unregister("__authors_known")
        con.unregister("__authors_in")


def fill_missing(con: duckdb.DuckDBPyConnection, rows: int = SLICE) -> None:
    """Key and register the authors of rows written without their key (by plain SQL, or
    stored before the keys), ``rows`` rows at a time.

    Outside a transaction every slice commits by itself, so a store of any size is keyed
    within the writer's memory limit; an interrupted run resumes where it stopped.
    """
    for table, key, platform, handle in KEYED:
        pairs = f"SELECT {platform} AS platform, {handle} AS handle FROM {table}"  # noqa: S608
        update_in_slices(
            con,
            table,
            f"{key} = hash({platform}, {handle})",
            f"{key} IS NULL AND {handle} IS NOT NULL",
            rows,
            before=partial(_register_slice, con, pairs),
        )
    con.complete()


def _register_slice(con: duckdb.DuckDBPyConnection, pairs: str, part: str) -> None:
    register(con, f"{pairs} WHERE {part}")


def rehash(con: duckdb.DuckDBPyConnection) -> None:
    """Compute every author key and the clash register again (after a change of hash()),
    in slices (see :func:`resonanz.store.slices.update_in_slices`)."""
    fill_missing(con)  # rows written by plain SQL join the register first
    for table, key, platform, handle in KEYED:
        update_in_slices(con, table, f"{key} = {key_sql(platform, handle)}")
    update_in_slices(con, "author_keys", "author_key = hash(platform, handle)")
    con.execute("DELETE FROM author_key_clashes")
    con.execute(
        "INSERT INTO author_key_clashes "
        "SELECT author_key FROM author_keys GROUP BY author_key HAVING count(*) > 1"
    )
