"""Gather everything a workspace stores about one author (GDPR Art. 15, right of access)."""

from __future__ import annotations

from typing import Any

import duckdb

from resonanz.privacy.cascade import AUTHOR_REFS, DOOMED, POST_REFS, Ref, columns, has
from resonanz.privacy.forget import names_author
from resonanz.privacy.salt import canonical_handle, subject_hash
from resonanz.records import utcnow
from resonanz.store.author_keys import INTERNAL


def export_author(
    con: duckdb.DuckDBPyConnection, salt: bytes, platform: str, handle: str
) -> dict[str, Any]:
    """Return the author's profile, posts, and every row that refers to them or their posts.

    Raw payloads are included; quarantined input is included when it names the author.
    """
    who = canonical_handle(handle)
    schema = columns(con)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {DOOMED} AS SELECT platform, native_id FROM posts "  # noqa: S608
        "WHERE platform = ? AND lower(ltrim(author, '@')) = ?",
        [platform, who],
    )
    try:
        result: dict[str, Any] = {
            "platform": platform,
            "handle": handle,
            "exported_at": utcnow().isoformat(),
            "profile": _rows(con, "authors", Ref("authors", "platform", "handle"), who, platform),
            "posts": _post_rows(con, Ref("posts", "platform", "native_id")),
        }
        for ref in POST_REFS:
            if has(schema, ref):
                _extend(result, f"{ref.table} ({ref.key})", _post_rows(con, ref))
        for ref in AUTHOR_REFS[1:]:
            if has(schema, ref):
                _extend(
                    result, f"{ref.table} ({ref.key})", _rows(con, ref.table, ref, who, platform)
                )
        result["mentioned_in"] = _mentions(con, platform, who)
        result["quarantine"] = _quarantine(con, platform, who)
        result["privacy_log"] = _fetch(
            con,
            "SELECT done_at, action, detail FROM privacy_log WHERE subject = ?",
            [subject_hash(salt, platform, who)],
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {DOOMED}")
    return result


def _extend(result: dict[str, Any], key: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        result[key] = rows


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description or ()]
    rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    for row in rows:
        # the store's internal hashes of a post's or an author's identity are not the
        # person's data
        for key in INTERNAL:
            row.pop(key, None)
    return rows


def _rows(
    con: duckdb.DuckDBPyConnection, table: str, ref: Ref, who: str, platform: str
) -> list[dict[str, Any]]:
    sql = (
        f"SELECT * FROM {table} WHERE {ref.platform} = ? "  # noqa: S608
        f"AND lower(ltrim({ref.key}, '@')) = ?"
    )
    return _fetch(con, sql, [platform, who])


def _post_rows(con: duckdb.DuckDBPyConnection, ref: Ref) -> list[dict[str, Any]]:
    sql = (
        f"SELECT t.* FROM {ref.table} t JOIN {DOOMED} d "  # noqa: S608
        f"ON d.platform = t.{ref.platform} AND d.native_id = t.{ref.key} ORDER BY ALL"
    )
    return _fetch(con, sql, [])


def _mentions(con: duckdb.DuckDBPyConnection, platform: str, who: str) -> list[dict[str, Any]]:
    return _fetch(
        con,
        "SELECT platform, native_id, author, created_at, text FROM posts WHERE platform = ? "
        "AND list_contains(list_transform(mentions, lambda m: lower(m)), ?) ORDER BY created_at",
        [platform, who],
    )


def _quarantine(con: duckdb.DuckDBPyConnection, platform: str, who: str) -> list[dict[str, Any]]:
    found = []
    rows = con.execute(
        "SELECT id, source, location, reason, created_at, raw FROM quarantine "
        "WHERE raw IS NOT NULL ORDER BY id"
    ).fetchall()
    for qid, source, location, reason, created_at, raw in rows:
        data = bytes(raw)
        if names_author(data, platform, who):
            found.append(
                {
                    "id": qid,
                    "source": source,
                    "location": location,
                    "reason": reason,
                    "created_at": created_at,
                    "raw": data.decode("utf-8", "replace"),
                }
            )
    return found
