"""Apply the workspace's retention settings: drop raw payloads and old posts after N days.

``raw_days`` counts from when a payload was stored (``collected_at``; profiles: the
``updated_at``; notifications and quarantine rows: their time); ``posts_days`` counts from
when a post was written (``created_at``), and takes every row tied to the post along.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import duckdb

from resonanz.config import RetentionSettings
from resonanz.privacy.cascade import DOOMED, columns, delete_doomed
from resonanz.records import utcnow
from resonanz.store import Store

#: (table, time column) whose ``raw`` payloads expire after ``raw_days``.
RAW_PAYLOADS: Final = (
    ("posts", "collected_at"),
    ("authors", "updated_at"),
    ("notifications", "created_at"),
    ("quarantine", "created_at"),
)


@dataclass
class RetentionResult:
    """What retention removed (or, in a dry run, would remove)."""

    dry_run: bool
    raw_cleared: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """True when anything was (or would be) removed."""
        return bool(self.raw_cleared or self.deleted)

    def to_dict(self) -> dict[str, object]:
        """Return plain data for JSON output."""
        return {"dry_run": self.dry_run, "raw_cleared": self.raw_cleared, "deleted": self.deleted}


def apply_retention(
    store: Store,
    settings: RetentionSettings,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionResult:
    """Remove what ``settings`` says has expired; with ``dry_run`` only count it."""
    now = now or utcnow()
    result = RetentionResult(dry_run)
    if not (settings.raw_days or settings.posts_days):
        return result
    with store.transaction() as con:
        if settings.raw_days:
            result.raw_cleared = _clear_raw(con, now - timedelta(days=settings.raw_days), dry_run)
        if settings.posts_days:
            cutoff = now - timedelta(days=settings.posts_days)
            result.deleted = _delete_posts(con, cutoff, dry_run)
        if result.changed and not dry_run:
            con.execute(
                "INSERT INTO privacy_log VALUES (?, 'retention', NULL, 'workspace', ?)",
                [now, json.dumps(result.to_dict())],
            )
    return result


def _clear_raw(con: duckdb.DuckDBPyConnection, cutoff: datetime, dry_run: bool) -> dict[str, int]:
    schema = columns(con)
    counts: dict[str, int] = {}
    for table, time_column in RAW_PAYLOADS:
        if not {"raw", time_column} <= schema.get(table, set()):
            continue
        where = f"raw IS NOT NULL AND {time_column} < ?"
        if dry_run:
            sql = f"SELECT count(*) FROM {table} WHERE {where}"  # noqa: S608
        else:
            sql = f"UPDATE {table} SET raw = NULL WHERE {where}"  # noqa: S608
        row = con.execute(sql, [cutoff]).fetchone()
        if row and row[0]:
            counts[table] = int(row[0])
    return counts


def _delete_posts(
    con: duckdb.DuckDBPyConnection, cutoff: datetime, dry_run: bool
) -> dict[str, int]:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {DOOMED} AS "  # noqa: S608
        "SELECT platform, native_id FROM posts WHERE created_at < ?",
        [cutoff],
    )
    try:
        counts = delete_doomed(con, count_only=dry_run)
        # Edges whose own post was never stored expire by their own time.
        verb = "SELECT count(*) FROM" if dry_run else "DELETE FROM"
        row = con.execute(f"{verb} edges WHERE created_at < ?", [cutoff]).fetchone()
        if row and row[0]:
            counts["edges"] = counts.get("edges", 0) + int(row[0])
    finally:
        con.execute(f"DROP TABLE IF EXISTS {DOOMED}")
    return counts
