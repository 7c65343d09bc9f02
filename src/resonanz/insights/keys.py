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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Ident:
    """How authors are told apart in SQL: by their numeric key where that is exact
    (``keyed``, see :func:`resonanz.insights.keys.author_keys_usable`), otherwise by the
    text key ``platform<TAB>handle``. Either way the column is called ``akey``."""

    keyed: bool

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> Ident:
        """Return the identity that is exact in this store."""
        return cls(author_keys_usable(con))

    def post(self) -> str:
        """The author of posts ``p``."""
        return "p.author_key" if self.keyed else "p.platform || chr(9) || p.author"

    def post_groups(self) -> str:
        """What to group posts ``p`` by, per author."""
        return "p.author_key" if self.keyed else "p.platform, p.author"

    def edge(self, end: str) -> str:
        """An end of edges ``e``: ``src`` or ``dst``."""
        if self.keyed:
            return f"e.{end}_key"
        return f"e.platform || chr(9) || e.{end}_author"

    def profile(self, alias: str = "a") -> str:
        """The author of rows ``alias`` with ``platform`` and ``handle`` (the authors table)."""
        if not _ALIAS.match(alias):
            raise ValueError(f"not a table alias: {alias!r}")
        if self.keyed:
            return f"hash({alias}.platform, {alias}.handle)"
        return f"{alias}.platform || chr(9) || {alias}.handle"

    def names(self, keys: str) -> str:
        """SQL of ``akey, platform, handle`` for every distinct ``akey`` of relation ``keys``."""
        if self.keyed:
            return (
                "SELECT r.author_key AS akey, r.platform, r.handle FROM author_keys r "  # noqa: S608
                f"SEMI JOIN {keys} x ON x.akey = r.author_key"
            )
        return (
            "SELECT akey, split_part(akey, chr(9), 1) AS platform, "  # noqa: S608
            f"akey[strpos(akey, chr(9)) + 1:] AS handle FROM (SELECT DISTINCT akey FROM {keys})"
        )


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
