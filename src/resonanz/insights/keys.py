"""Join posts with their topic matches on the numeric post key wherever that is exact.

``posts.post_key`` and ``matches.post_key`` are ``hash(platform, native_id)`` (migration
0081; see :mod:`resonanz.store.post_keys`). One 64-bit column joins faster than two text
columns, but it is only as good as the text key when no two stored posts share a key
(``post_key_clashes`` is empty), every post has its key, and the stored keys were computed
by this DuckDB's ``hash()`` (the probe in ``matched_posts_hash``). Otherwise, and on a store
from before the key, the join falls back to the text key, so results never depend on which
one is used.

Authors have such a key too, ``hash(platform, handle)`` (migration 0084; see
:mod:`resonanz.store.author_keys`), under the same conditions (:func:`author_keys_usable`).
"""

from __future__ import annotations

import re

import duckdb

_ALIAS = re.compile(r"^[a-z_][a-z0-9_]*$")
#: The stored keys were computed by this DuckDB's hash().
_SAME_HASH = """
    (SELECT count(*) FILTER (WHERE key_probe = hash('resonanz', 'probe')) = 1 AND count(*) = 1
     FROM matched_posts_hash)
"""
#: Posts written by plain SQL (not the store's writer) may lack a key until the next write;
#: the column's statistics answer the NULL test without reading it.
_POSTS_KEYED = """
    (SELECT count(*) FROM post_key_clashes) = 0
    AND NOT EXISTS (SELECT 1 FROM posts WHERE post_key IS NULL)
"""
#: The register must hold the authors too (names are read from it); a store whose keys came
#: from elsewhere (a lake's Parquet files) has an empty one.
_AUTHORS_KEYED = """
    (SELECT count(*) FROM author_key_clashes) = 0
    AND (EXISTS (SELECT 1 FROM author_keys)
         OR NOT EXISTS (SELECT 1 FROM posts WHERE author IS NOT NULL))
    AND NOT EXISTS (SELECT 1 FROM posts WHERE author_key IS NULL AND author IS NOT NULL)
    AND NOT EXISTS (SELECT 1 FROM edges WHERE src_key IS NULL)
    AND NOT EXISTS (SELECT 1 FROM edges WHERE dst_key IS NULL AND dst_author IS NOT NULL)
"""


def key_usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether joining posts and matches on ``post_key`` alone is exact in this store."""
    return _holds(con, "post_key_clashes", _POSTS_KEYED)


def author_keys_usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether grouping and joining authors on their numeric key alone is exact here.

    That holds when no two registered authors share a key (``author_key_clashes`` is
    empty), every post and edge has the keys of its authors, and the keys were computed by
    this DuckDB's ``hash()`` (see :mod:`resonanz.store.author_keys`).
    """
    return _holds(con, "author_key_clashes", _AUTHORS_KEYED)


def _holds(con: duckdb.DuckDBPyConnection, clashes: str, keyed: str) -> bool:
    """Tell whether the store has the table ``clashes`` (from the keys' migration) and the
    keys are complete (SQL ``keyed``) and made by this DuckDB's hash()."""
    tables = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() "
        "WHERE table_name IN (?, 'matched_posts_hash') "
        "AND database_name = current_database() AND schema_name = 'main'",
        [clashes],
    ).fetchall()
    if tables[0][0] != 2:
        return False
    return bool(con.execute(f"SELECT ({keyed}) AND {_SAME_HASH}").fetchall()[0][0])


def post_match(con: duckdb.DuckDBPyConnection, post: str = "p", match: str = "m") -> str:
    """Return the SQL condition that pairs posts alias ``post`` with matches alias ``match``.

    >>> post_match(duckdb.connect())
    'm.platform = p.platform AND m.native_id = p.native_id'
    """
    return match_condition(key_usable(con), post, match)


def match_condition(keyed: bool, post: str = "p", match: str = "m") -> str:
    """Return the join condition on the post key (``keyed``) or on the text key."""
    if not (_ALIAS.match(post) and _ALIAS.match(match)):
        raise ValueError(f"not table aliases: {post!r}, {match!r}")
    if keyed:
        return f"{match}.post_key = {post}.post_key"
    return f"{match}.platform = {post}.platform AND {match}.native_id = {post}.native_id"
