"""The inbox: posts to or about us that may need an answer, in priority order.

``sync_inbox`` pulls new items from topic matches with an intent and from our accounts'
notifications, and notices answers our accounts gave outside Resonanz. ``list_inbox`` adds
each item's priority and response-time clock (business hours of the workspace).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from resonanz.config import Settings
from resonanz.engage import priority
from resonanz.engage.accounts import own_keys
from resonanz.engage.clock import add_business_minutes, business_minutes
from resonanz.engage.settings import InboxSettings
from resonanz.errors import ResonanzError
from resonanz.records import utcnow

STATUSES = ("new", "assigned", "waiting", "answered", "closed")
OPEN = ("new", "assigned", "waiting")
_OWN = "p.platform || ':' || lower(ltrim(coalesce(p.author, ''), '@'))"


class InboxError(ResonanzError):
    """An inbox action cannot be done (unknown item, bad status)."""


@dataclass(frozen=True)
class InboxEntry:
    """One inbox item with its post, author facts, clock and priority."""

    id: int
    platform: str
    native_id: str
    url: str | None
    author: str | None
    text: str
    intents: list[str]
    sentiment: str | None
    followers: int | None
    stakeholder: str | None
    status: str
    assignee: str | None
    tags: list[str]
    received_at: datetime
    target_minutes: int
    due_at: datetime
    waited_minutes: float
    clock: str  # ok | at_risk | breached | met | missed
    priority: float
    answered_at: datetime | None
    answered_by: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def zone(settings: Settings) -> ZoneInfo:
    """Return the time zone of the business hours."""
    return ZoneInfo(settings.inbox.timezone or settings.workspace.timezone)


def sync_inbox(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Add new inbox items and mark items our accounts answered elsewhere; return new count."""
    now = utcnow()
    own = own_keys(con, settings)
    before = _count(con)
    con.execute(
        f"""
        INSERT INTO inbox_items (platform, native_id, origin, received_at, updated_at, tags)
        SELECT DISTINCT p.platform, p.native_id, 'match', p.created_at, ?, []::VARCHAR[]
        FROM posts p
        JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
        JOIN topics t ON t.name = m.topic
        WHERE list_contains(?, t.kind)
          AND len(list_intersect(coalesce(p.intents, []::VARCHAR[]), ?)) > 0
          AND NOT list_contains(?, {_OWN})
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - fixed expression
        [now, settings.inbox.topic_kinds, list(priority.INBOX_INTENTS), own],
    )
    con.execute(
        f"""
        INSERT INTO inbox_items
            (platform, native_id, origin, account_id, received_at, updated_at, tags)
        SELECT DISTINCT ON (p.platform, p.native_id)
               p.platform, p.native_id, 'notification', n.account_id, p.created_at, ?,
               []::VARCHAR[]
        FROM notifications n
        JOIN posts p ON p.platform = n.platform AND p.native_id = n.post_native_id
        WHERE n.kind IN ('mention', 'reply', 'quote') AND NOT list_contains(?, {_OWN})
        ON CONFLICT DO NOTHING
        """,  # noqa: S608 - fixed expression
        [now, own],
    )
    _mark_answered_elsewhere(con, own, now)
    return _count(con) - before


def _mark_answered_elsewhere(con: duckdb.DuckDBPyConnection, own: list[str], now: datetime) -> None:
    con.execute(
        f"""
        UPDATE inbox_items i SET status = 'answered', answered_at = a.created_at,
               answered_by = a.author, answer_native_id = a.native_id, updated_at = ?
        FROM (
            SELECT DISTINCT ON (p.platform, p.reply_to) p.platform, p.reply_to, p.author,
                   p.native_id, p.created_at
            FROM posts p WHERE p.reply_to IS NOT NULL AND list_contains(?, {_OWN})
            ORDER BY p.platform, p.reply_to, p.created_at
        ) a
        WHERE a.platform = i.platform AND a.reply_to = i.native_id
          AND i.status IN ('new', 'assigned', 'waiting')
        """,  # noqa: S608 - fixed expression
        [now, own],
    )


def _count(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM inbox_items").fetchone()
    return int(row[0]) if row else 0


def target_for(intents: list[str], inbox: InboxSettings) -> int:
    """Return the response target in business minutes for an item with ``intents``."""
    listed = [inbox.targets[i] for i in intents if i in inbox.targets]
    return min(listed) if listed else inbox.default_target


_SELECT = """
    SELECT i.id, i.platform, i.native_id, p.url, p.author, p.text,
           coalesce(p.intents, []::VARCHAR[]), p.sentiment, a.followers, a.stakeholder,
           i.status, i.assignee, coalesce(i.tags, []::VARCHAR[]), i.received_at,
           i.answered_at, i.answered_by
    FROM inbox_items i
    JOIN posts p ON p.platform = i.platform AND p.native_id = i.native_id
    LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
    WHERE list_contains(?, i.status)
"""


def list_inbox(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    *,
    statuses: tuple[str, ...] = OPEN,
    now: datetime | None = None,
    limit: int | None = 200,
    item_ids: list[int] | None = None,
) -> list[InboxEntry]:
    """Return inbox items in the given statuses, most urgent first."""
    now = now or utcnow()
    sql, params = _SELECT, [list(statuses)]
    if item_ids is not None:
        sql += " AND list_contains(?, i.id)"
        params.append(item_ids)  # type: ignore[arg-type]
    entries = [_entry(row, settings, now) for row in con.execute(sql, params).fetchall()]
    entries.sort(key=lambda e: (-e.priority, e.received_at))
    return entries if limit is None else entries[:limit]


def _entry(row: tuple[Any, ...], settings: Settings, now: datetime) -> InboxEntry:
    inbox, tz = settings.inbox, zone(settings)
    (iid, platform, native_id, url, author, text, intents, sentiment, followers, stakeholder) = row[
        :10
    ]
    status, assignee, tags, received, answered_at, answered_by = row[10:]
    target = target_for(list(intents), inbox)
    until = answered_at or now
    waited = business_minutes(received, until, inbox.business_hours, tz)
    if answered_at is not None:
        clock = "met" if waited <= target else "missed"
    elif waited >= target:
        clock = "breached"
    else:
        clock = "at_risk" if waited >= inbox.warn_at * target else "ok"
    signals = priority.Signals(list(intents), followers, stakeholder, sentiment, waited / target)
    return InboxEntry(
        id=int(iid),
        platform=platform,
        native_id=native_id,
        url=url,
        author=author,
        text=text,
        intents=list(intents),
        sentiment=sentiment,
        followers=followers,
        stakeholder=stakeholder,
        status=status,
        assignee=assignee,
        tags=list(tags),
        received_at=received,
        target_minutes=target,
        due_at=add_business_minutes(received, target, inbox.business_hours, tz),
        waited_minutes=round(waited, 1),
        clock=clock,
        priority=priority.score(signals, inbox.weights) if answered_at is None else 0.0,
        answered_at=answered_at,
        answered_by=answered_by,
    )


def get_item(con: duckdb.DuckDBPyConnection, settings: Settings, item_id: int) -> InboxEntry:
    """Return one inbox item (any status) or raise naming the fix."""
    found = list_inbox(con, settings, statuses=STATUSES, item_ids=[item_id], limit=None)
    if not found:
        raise InboxError(f"no inbox item {item_id}; list them with `resonanz inbox`")
    return found[0]


def set_status(con: duckdb.DuckDBPyConnection, item_id: int, status: str) -> None:
    """Move an item to ``status`` (new, assigned, waiting, answered, closed)."""
    if status not in STATUSES:
        raise InboxError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    _update(con, item_id, "status = ?", [status])


def assign(con: duckdb.DuckDBPyConnection, item_id: int, assignee: str | None) -> None:
    """Give an item to a team member (None: unassign)."""
    status = "assigned" if assignee else "new"
    _update(
        con,
        item_id,
        "assignee = ?, status = CASE WHEN status IN ('new', 'assigned') THEN ? ELSE status END",
        [assignee, status],
    )


def tag(con: duckdb.DuckDBPyConnection, item_id: int, tags: list[str]) -> None:
    """Add tags to an item."""
    _update(con, item_id, "tags = list_distinct(list_concat(coalesce(tags, []), ?))", [tags])


def add_note(con: duckdb.DuckDBPyConnection, item_id: int, author: str, text: str) -> None:
    """Attach an internal note (never sent) to an item."""
    _update(con, item_id, "", [])
    con.execute("INSERT INTO inbox_notes VALUES (?, ?, ?, ?)", [item_id, author, text, utcnow()])


def notes(con: duckdb.DuckDBPyConnection, item_id: int) -> list[dict[str, Any]]:
    """Return an item's internal notes, oldest first."""
    rows = con.execute(
        "SELECT author, text, created_at FROM inbox_notes WHERE item_id = ? ORDER BY created_at",
        [item_id],
    ).fetchall()
    return [{"author": a, "text": t, "created_at": c} for a, t, c in rows]


def _update(con: duckdb.DuckDBPyConnection, item_id: int, sets: str, params: list[Any]) -> None:
    row = con.execute(
        f"UPDATE inbox_items SET {sets + ', ' if sets else ''}updated_at = ? "  # noqa: S608
        "WHERE id = ? RETURNING id",
        [*params, utcnow(), item_id],
    ).fetchone()
    if row is None:
        raise InboxError(f"no inbox item {item_id}; list them with `resonanz inbox`")
