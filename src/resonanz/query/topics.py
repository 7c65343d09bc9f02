"""Manage the topics table and keep stored posts' matches in step with topic queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, get_args

import duckdb

from resonanz.config import TopicKind
from resonanz.errors import ConfigError
from resonanz.query.parser import parse
from resonanz.query.sql import compile_sql
from resonanz.records import utcnow
from resonanz.store import Store
from resonanz.store.matches import register_topic_posts

KINDS = get_args(TopicKind)


def _query_of(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str]:
    rows = con.execute("SELECT query, origin FROM topics WHERE name = ?", [name]).fetchall()
    if not rows:
        raise ConfigError(f"no topic named {name!r}; see `resonanz topics list`")
    return str(rows[0][0]), str(rows[0][1])


def _rematch(con: duckdb.DuckDBPyConnection, name: str, query: str) -> int:
    """Replace the stored matches of topic ``name`` by the posts ``query`` matches now."""
    where, params = compile_sql(query)
    con.execute("DELETE FROM matches WHERE topic = ?", [name])
    con.execute(  # posts are unique by (platform, native_id): no match twice
        f"INSERT INTO matches SELECT p.platform, p.native_id, ? FROM posts p WHERE {where}",  # noqa: S608
        [name, *params],
    )
    register_topic_posts(con, name)
    return int(con.execute("SELECT count(*) FROM matches WHERE topic = ?", [name]).fetchall()[0][0])


def rematch_topic(store: Store, name: str) -> int:
    """Re-match every stored post against topic ``name``; return how many match."""
    with store.transaction() as con:
        return _rematch(con, name, _query_of(con, name)[0])


def rematch_topics(store: Store, names: Iterable[str] | None = None) -> dict[str, int]:
    """Re-match stored posts against several topics (default: all); return counts by name."""
    if names is None:
        names = [str(r[0]) for r in store.con.execute("SELECT name FROM topics").fetchall()]
    return {name: rematch_topic(store, name) for name in names}


def add_topic(
    store: Store,
    name: str,
    *,
    kind: str,
    query: str,
    aspects: Sequence[str] | None = None,
) -> int:
    """Add or change a topic made outside ``resonanz.toml``, match stored posts, return count.

    Raises :class:`~resonanz.errors.QuerySyntaxError` for an invalid query and
    :class:`ConfigError` for an unknown kind or a topic defined in ``resonanz.toml``.
    """
    if kind not in KINDS:
        raise ConfigError(f"unknown topic kind {kind!r}; use one of {', '.join(KINDS)}")
    if not name.strip():
        raise ConfigError("a topic needs a name")
    parse(query)
    with store.transaction() as con:
        origin = con.execute("SELECT origin FROM topics WHERE name = ?", [name]).fetchall()
        if origin and origin[0][0] == "config":
            raise ConfigError(
                f"topic {name!r} is defined in resonanz.toml; change it there or pick another name"
            )
        con.execute(
            "INSERT INTO topics VALUES (?, ?, ?, ?, 'cli', ?) ON CONFLICT (name) DO UPDATE SET "
            "kind = excluded.kind, query = excluded.query, aspects = excluded.aspects, "
            "updated_at = excluded.updated_at",
            [name, kind, query, list(aspects) if aspects else None, utcnow()],
        )
        return _rematch(con, name, query)


def remove_topic(store: Store, name: str) -> None:
    """Remove a topic made outside ``resonanz.toml`` together with its matches."""
    with store.transaction() as con:
        if _query_of(con, name)[1] == "config":
            raise ConfigError(
                f"topic {name!r} is defined in resonanz.toml and cannot be removed from the "
                "command line; delete its [topics.{name}] table in resonanz.toml instead"
            )
        con.execute("DELETE FROM matches WHERE topic = ?", [name])
        con.execute("DELETE FROM topics WHERE name = ?", [name])


def list_topics(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return every topic with its kind, query, origin, aspects and stored match count."""
    rows = con.execute(
        "SELECT t.name, t.kind, t.query, t.origin, t.aspects, count(m.topic) AS matches "
        "FROM topics t LEFT JOIN matches m ON m.topic = t.name "
        "GROUP BY ALL ORDER BY t.name"
    ).fetchall()
    keys = ("name", "kind", "query", "origin", "aspects", "matches")
    return [dict(zip(keys, row, strict=True)) for row in rows]
