"""Where each running source stands: kept in ``source_status`` and shown as status lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
from rich.table import Table

from resonanz.records import utcnow
from resonanz.store import Store

STATES = ("backfill", "live", "polling", "waiting", "needs_reauth", "error", "stopped")


@dataclass
class SourceState:
    """The live state of one source."""

    source: str
    platform: str
    account_id: str | None = None
    state: str = "backfill"
    detail: str | None = None
    posts_new: int = 0
    last_ok_at: datetime | None = None
    updated_at: datetime = field(default_factory=utcnow)

    def line(self) -> str:
        """Return a one-line summary (for logs and non-terminal output)."""
        extra = f" — {self.detail}" if self.detail else ""
        return f"{self.source}: {self.state}, {self.posts_new} new{extra}"


def save_state(store: Store, state: SourceState) -> None:
    """Upsert a source's state into ``source_status``."""
    store.con.execute(
        "INSERT INTO source_status VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO "
        "UPDATE SET platform = excluded.platform, account_id = excluded.account_id, "
        "state = excluded.state, detail = excluded.detail, "
        "posts_new = source_status.posts_new + excluded.posts_new, "
        "last_ok_at = coalesce(excluded.last_ok_at, source_status.last_ok_at), "
        "updated_at = excluded.updated_at",
        [
            state.source,
            state.platform,
            state.account_id,
            state.state,
            state.detail,
            0,  # counts are added through add_posts
            state.last_ok_at,
            state.updated_at,
        ],
    )


def add_posts(store: Store, source: str, count: int) -> None:
    """Add newly stored posts to a source's total."""
    if count:
        store.con.execute(
            "UPDATE source_status SET posts_new = posts_new + ? WHERE source = ?", [count, source]
        )


def status_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return every source's last known state (what the dashboard's listening page shows)."""
    cur = con.execute(
        "SELECT source, platform, account_id, state, detail, posts_new, last_ok_at, updated_at "
        "FROM source_status ORDER BY source"
    )
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def render(states: list[SourceState]) -> Table:
    """Render the status lines as a rich table."""
    table = Table(title="resonanz listen", expand=False)
    for col in ("source", "state", "new posts", "last ok", "detail"):
        table.add_column(col, overflow="fold")
    for s in states:
        last = s.last_ok_at.strftime("%H:%M:%S") if s.last_ok_at else "—"
        table.add_row(s.source, s.state, str(s.posts_new), last, s.detail or "")
    return table
