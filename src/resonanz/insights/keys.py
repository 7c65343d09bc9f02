"""Join posts with their topic matches on the numeric post key wherever that is exact.

``posts.post_key`` and ``matches.post_key`` are ``hash(platform, native_id)`` (migration
0081; see :mod:`resonanz.store.post_keys`). One 64-bit column joins faster than two text
columns, but it is only as good as the text key when no two stored posts share a key
(``post_key_clashes`` is empty), every post has its key, and the stored keys were computed
by this DuckDB's ``hash()`` (the probe in ``matched_posts_hash``). Otherwise, and on a store
from before the key, the join falls back to the text key, so results never depend on which
one is used.
"""

from __future__ import annotations

import re

import duckdb

_ALIAS = re.compile(r"^[a-z_][a-z0-9_]*$")
#: Posts written by plain SQL (not the store's writer) may lack a key until the next write;
#: the column's statistics answer the NULL test without reading it.
_USABLE = """
    SELECT (SELECT count(*) FROM post_key_clashes) = 0
       AND NOT EXISTS (SELECT 1 FROM posts WHERE post_key IS NULL)
       AND (SELECT count(*) FILTER (WHERE key_probe = hash('resonanz', 'probe')) = 1
                   AND count(*) = 1
            FROM matched_posts_hash)
"""


def key_usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether joining posts and matches on ``post_key`` alone is exact in this store."""
    tables = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() "
        "WHERE table_name IN ('post_key_clashes', 'matched_posts_hash') "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchone()
    if not tables or tables[0] != 2:
        return False
    row = con.execute(_USABLE).fetchone()
    return bool(row and row[0])


_AUTHORS_USABLE = """
    SELECT (SELECT count(*) FROM author_key_clashes) = 0
       AND NOT EXISTS (SELECT 1 FROM posts WHERE author_key IS NULL AND author IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM edges WHERE src_key IS NULL)
       AND NOT EXISTS (SELECT 1 FROM edges WHERE dst_key IS NULL AND dst_author IS NOT NULL)
       AND (SELECT count(*) FILTER (WHERE key_probe = hash('resonanz', 'probe')) = 1
                   AND count(*) = 1
            FROM matched_posts_hash)
"""


def author_keys_usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether grouping and joining authors on their numeric key alone is exact here.

    That holds when no two registered authors share a key (``author_key_clashes`` is
    empty), every post and edge has the keys of its authors, and the keys were computed by
    this DuckDB's ``hash()`` (see :mod:`resonanz.store.author_keys`).
    """
    tables = con.execute(
        "SELECT count(DISTINCT table_name) FROM duckdb_tables() "
        "WHERE table_name IN ('author_key_clashes', 'matched_posts_hash') "
        "AND database_name = current_database() AND schema_name = 'main'"
    ).fetchall()
    if tables[0][0] != 2:
        return False
    return bool(con.execute(_AUTHORS_USABLE).fetchall()[0][0])


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
