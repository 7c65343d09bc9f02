"""The outbox table: everything we send, with its delivery state.

States: ``scheduled`` → ``claimed`` → ``published`` | ``failed``. A failed try of a temporary
kind goes back to ``scheduled`` with a later ``next_attempt_at``; ``failed`` is final until a
person retries it. The row id doubles as the idempotency key sent to the network.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import duckdb

from resonanz.errors import PublishError
from resonanz.publish.publisher import Sent
from resonanz.records import utcnow

STATES = ("scheduled", "claimed", "published", "failed")


@dataclass(frozen=True)
class OutboxItem:
    """One outbox row."""

    id: str
    kind: str
    channel: str
    network: str
    draft_id: str | None
    part: int
    after_id: str | None
    text: str
    reply_platform: str | None
    reply_native_id: str | None
    campaign: str | None
    not_before: datetime
    state: str
    claim_token: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    remote_id: str | None
    remote_uri: str | None
    remote_cid: str | None
    remote_url: str | None
    published_at: datetime | None


_COLUMNS = ", ".join(f.name for f in fields(OutboxItem))


def new_id(prefix: str = "out") -> str:
    """Return a fresh, unguessable outbox id."""
    return f"{prefix}-{uuid.uuid4().hex}"


def enqueue(
    con: duckdb.DuckDBPyConnection,
    *,
    channel: str,
    network: str,
    text: str,
    not_before: datetime,
    kind: str = "post",
    draft_id: str | None = None,
    part: int = 0,
    after_id: str | None = None,
    reply_to: tuple[str, str] | None = None,
    campaign: str | None = None,
    item_id: str | None = None,
) -> str:
    """Add one post to the outbox; return its id."""
    item_id = item_id or new_id()
    platform, native_id = reply_to if reply_to else (None, None)
    con.execute(
        "INSERT INTO outbox (id, kind, channel, network, draft_id, part, after_id, text, "
        "reply_platform, reply_native_id, campaign, not_before, state, next_attempt_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
        [
            item_id,
            kind,
            channel,
            network,
            draft_id,
            part,
            after_id,
            text,
            platform,
            native_id,
            campaign,
            not_before,
            not_before,
            utcnow(),
        ],
    )
    return item_id


def get(con: duckdb.DuckDBPyConnection, item_id: str) -> OutboxItem:
    """Return one outbox row or raise :class:`PublishError` naming the fix."""
    row = con.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE id = ?",  # noqa: S608 - fixed column list
        [item_id],
    ).fetchone()
    if row is None:
        raise PublishError(f"no outbox item {item_id!r}; see `resonanz calendar list`")
    return OutboxItem(*row)


def due(con: duckdb.DuckDBPyConnection, now: datetime, ids: list[str] | None = None) -> list[str]:
    """Return ids that may be sent now, oldest first; thread parts wait for their parent."""
    sql = (
        "SELECT o.id FROM outbox o LEFT JOIN outbox prev ON prev.id = o.after_id "
        "WHERE o.state = 'scheduled' AND o.not_before <= ? AND o.next_attempt_at <= ? "
        "AND (o.after_id IS NULL OR prev.state = 'published')"
    )
    params: list[Any] = [now, now]
    if ids is not None:
        sql += " AND list_contains(?, o.id)"
        params.append(ids)
    rows = con.execute(sql + " ORDER BY o.not_before, o.part, o.id", params).fetchall()
    return [str(r[0]) for r in rows]


def stale_claims(con: duckdb.DuckDBPyConnection, token: str) -> list[str]:
    """Return rows claimed by an earlier run that ended before recording the outcome."""
    rows = con.execute(
        "SELECT id FROM outbox WHERE state = 'claimed' AND claim_token <> ? ORDER BY claimed_at",
        [token],
    ).fetchall()
    return [str(r[0]) for r in rows]


def claim(con: duckdb.DuckDBPyConnection, item_id: str, token: str, now: datetime) -> bool:
    """Mark a scheduled row as being sent by this run; False when someone else has it."""
    row = con.execute(
        "UPDATE outbox SET state = 'claimed', claim_token = ?, claimed_at = ?, "
        "attempts = attempts + 1 WHERE id = ? AND state = 'scheduled' RETURNING id",
        [token, now, item_id],
    ).fetchone()
    return row is not None


def take_over(con: duckdb.DuckDBPyConnection, item_id: str, token: str, now: datetime) -> None:
    """Adopt a stale claim of an earlier run (its process is gone: we hold the writer lock)."""
    con.execute(
        "UPDATE outbox SET claim_token = ?, claimed_at = ?, attempts = attempts + 1 "
        "WHERE id = ? AND state = 'claimed'",
        [token, now, item_id],
    )


def mark_published(con: duckdb.DuckDBPyConnection, item_id: str, sent: Sent, now: datetime) -> None:
    """Record where the post landed."""
    con.execute(
        "UPDATE outbox SET state = 'published', remote_id = ?, remote_uri = ?, remote_cid = ?, "
        "remote_url = ?, published_at = ?, last_error = NULL WHERE id = ?",
        [sent.remote_id, sent.uri, sent.cid, sent.url, now, item_id],
    )


def mark_retry(con: duckdb.DuckDBPyConnection, item_id: str, error: str, next_at: datetime) -> None:
    """Put a row back in the queue after a temporary failure."""
    con.execute(
        "UPDATE outbox SET state = 'scheduled', claim_token = NULL, last_error = ?, "
        "next_attempt_at = ? WHERE id = ?",
        [error, next_at, item_id],
    )


def mark_failed(con: duckdb.DuckDBPyConnection, item_id: str, error: str) -> None:
    """Give up on a row until a person retries it; the error stays for the report."""
    con.execute(
        "UPDATE outbox SET state = 'failed', claim_token = NULL, last_error = ? WHERE id = ?",
        [error, item_id],
    )
    # Later thread parts cannot go out without this one.
    con.execute(
        "UPDATE outbox SET state = 'failed', last_error = 'an earlier part of the thread failed' "
        "WHERE after_id = ? AND state = 'scheduled'",
        [item_id],
    )


def retry_failed(
    con: duckdb.DuckDBPyConnection, now: datetime, ids: list[str] | None = None
) -> int:
    """Put failed rows back in the queue (all, or ``ids``); return how many."""
    sql = (
        "UPDATE outbox SET state = 'scheduled', attempts = 0, next_attempt_at = ? "
        "WHERE state = 'failed'"
    )
    params: list[Any] = [now]
    if ids is not None:
        sql += " AND list_contains(?, id)"
        params.append(ids)
    rows = con.execute(sql + " RETURNING id", params).fetchall()
    return len(rows)


def rows(con: duckdb.DuckDBPyConnection, states: tuple[str, ...] = STATES) -> list[dict[str, Any]]:
    """Return outbox rows in the given states, as dicts, by time."""
    cur = con.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE list_contains(?, state) "  # noqa: S608
        "ORDER BY not_before, part, id",
        [list(states)],
    )
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
