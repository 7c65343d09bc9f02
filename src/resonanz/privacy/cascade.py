"""Which tables hold data about a post or an author, and how to delete it everywhere.

Tables of other areas that keep per-post or per-author rows are listed here, so that
erasure (``resonanz forget``) and retention reach them too. Tables not (yet) present in a
workspace are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import duckdb


@dataclass(frozen=True)
class Ref:
    """Rows of ``table`` that belong to a post (``key`` = native id) or an author (handle)."""

    table: str
    platform: str
    key: str


@dataclass(frozen=True)
class Child:
    """Rows of ``table`` whose ``column`` points at ``parent``'s ``parent_key``."""

    table: str
    column: str
    parent: Ref
    parent_key: str


#: Rows tied to one post, by (platform column, native-id column).
POST_REFS: Final = (
    Ref("matches", "platform", "native_id"),
    Ref("post_metrics", "platform", "native_id"),
    Ref("edges", "platform", "post_id"),
    Ref("edges", "platform", "target_post_id"),
    Ref("notifications", "platform", "post_native_id"),
    Ref("inbox_items", "platform", "native_id"),
    Ref("ugc_permissions", "platform", "native_id"),
    Ref("post_corrections", "platform", "native_id"),
)

#: Rows tied to one author, by (platform column, handle column).
AUTHOR_REFS: Final = (
    Ref("authors", "platform", "handle"),
    Ref("edges", "platform", "src_author"),
    Ref("edges", "platform", "dst_author"),
    Ref("notifications", "platform", "author"),
    Ref("ugc_permissions", "platform", "author"),
)

#: Rows that hang off a post-tied row (deleted first).
CHILDREN: Final = (
    Child("inbox_notes", "item_id", Ref("inbox_items", "platform", "native_id"), "id"),
)

DOOMED: Final = "__doomed_posts"


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Return ``{table: {column, …}}`` of the main schema."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'"
    ).fetchall()
    found: dict[str, set[str]] = {}
    for table, column in rows:
        found.setdefault(str(table), set()).add(str(column))
    return found


def has(schema: dict[str, set[str]], ref: Ref | Child) -> bool:
    """Tell whether the workspace has the table and columns of ``ref``."""
    if isinstance(ref, Child):
        return ref.column in schema.get(ref.table, set()) and has(schema, ref.parent)
    return {ref.platform, ref.key} <= schema.get(ref.table, set())


def delete_doomed(con: duckdb.DuckDBPyConnection, *, count_only: bool = False) -> dict[str, int]:
    """Delete the posts listed in the temp table ``__doomed_posts`` and every row tied to them.

    Return the number of rows per table (counted, not deleted, with ``count_only``).
    """
    schema = columns(con)
    counts: dict[str, int] = {}
    for child in CHILDREN:
        if has(schema, child):
            parent = child.parent
            where = (
                f"{child.column} IN (SELECT x.{child.parent_key} FROM {parent.table} x "  # noqa: S608
                f"JOIN {DOOMED} d ON d.platform = x.{parent.platform} "
                f"AND d.native_id = x.{parent.key})"
            )
            _add(counts, child.table, _run(con, child.table, where, [], count_only))
    for ref in (*POST_REFS, Ref("posts", "platform", "native_id")):
        if has(schema, ref):
            where = (
                f"EXISTS (SELECT 1 FROM {DOOMED} d "  # noqa: S608
                f"WHERE d.platform = {ref.table}.{ref.platform} "
                f"AND d.native_id = {ref.table}.{ref.key})"
            )
            _add(counts, ref.table, _run(con, ref.table, where, [], count_only))
    if "matched_posts" in schema and not count_only:
        # The register of matched posts holds a hashed key per post (store/matches.py);
        # their matches are gone, so their keys go too.
        con.execute(
            "DELETE FROM matched_posts WHERE post_key IN "  # noqa: S608
            f"(SELECT hash(platform, native_id) FROM {DOOMED})"
        )
    return counts


def delete_author_rows(
    con: duckdb.DuckDBPyConnection, platform: str, handle: str, *, count_only: bool = False
) -> dict[str, int]:
    """Delete every row naming ``handle`` on ``platform`` (handles compared case-blind)."""
    schema = columns(con)
    counts: dict[str, int] = {}
    for ref in AUTHOR_REFS:
        if has(schema, ref):
            where = f"{ref.platform} = ? AND lower(ltrim({ref.key}, '@')) = ?"
            _add(counts, ref.table, _run(con, ref.table, where, [platform, handle], count_only))
    if "author_keys" in schema and not count_only:
        # the register of keyed authors (store/author_keys.py) names the person too
        con.execute(
            "DELETE FROM author_keys WHERE platform = ? AND lower(ltrim(handle, '@')) = ?",
            [platform, handle],
        )
    return counts


def _run(
    con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[object], count_only: bool
) -> int:
    verb = "SELECT count(*) FROM" if count_only else "DELETE FROM"
    row = con.execute(f"{verb} {table} WHERE {where}", params).fetchone()
    return int(row[0]) if row else 0


def _add(counts: dict[str, int], table: str, n: int) -> None:
    if n:
        counts[table] = counts.get(table, 0) + n
