"""Search stored posts with a listening query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import duckdb
import pyarrow as pa

from resonanz.query.sql import compile_sql
from resonanz.store.post_keys import PUBLIC_COLUMNS_SQL


def as_utc(value: date | datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (dates at midnight, naive times as UTC)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def search_posts(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int | None = 100,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> pa.Table:
    """Return the stored posts matching ``query``, newest first.

    ``since`` is inclusive and ``until`` exclusive; ``languages`` also match regional
    variants (``de`` matches ``de-AT``). ``limit=None`` returns every match.
    Raises :class:`~resonanz.errors.QuerySyntaxError` for an invalid query.
    """
    where, params = compile_sql(query)
    clauses = [where]
    if since is not None:
        clauses.append("p.created_at >= ?")
        params.append(as_utc(since))
    if until is not None:
        clauses.append("p.created_at < ?")
        params.append(as_utc(until))
    if platforms:
        clauses.append("list_contains(?, p.platform)")
        params.append(list(platforms))
    if languages:
        clauses.append("(list_contains(?, p.lang) OR list_contains(?, split_part(p.lang, '-', 1)))")
        params.extend([list(languages), list(languages)])
    sql = (
        f"SELECT {PUBLIC_COLUMNS_SQL} FROM posts p WHERE {' AND '.join(clauses)} "  # noqa: S608 - fixed pieces
        "ORDER BY p.created_at DESC, p.platform, p.native_id"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return con.sql(sql, params=params).to_arrow_table()


def count_matches(con: duckdb.DuckDBPyConnection, query: str) -> int:
    """Return how many stored posts match ``query``."""
    where, params = compile_sql(query)
    sql = f"SELECT count(*) FROM posts p WHERE {where}"  # noqa: S608 - fixed pieces
    return int(con.execute(sql, params).fetchall()[0][0])
