"""User-generated content: suggest praise worth reusing, ask permission, track the answer.

Content may only go into our own posts once its author said yes (``may_use``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb

from resonanz.config import Settings
from resonanz.engage.accounts import norm_handle, own_keys
from resonanz.engage.replies import ReplyResult, send_reply
from resonanz.records import utcnow
from resonanz.store import Store

PERMISSION_TEXT = {
    "de": "Danke für deinen Beitrag! Dürfen wir ihn (mit Nennung von dir) auf unseren Kanälen "
    "zeigen? Antworte einfach mit JA oder NEIN.",
    "en": "Thank you for this! May we share it (crediting you) on our channels? "
    "Just reply YES or NO.",
}
_YES = re.compile(r"\b(ja|yes|gerne|klar|ok|okay|sure|natürlich)\b|👍", re.IGNORECASE)
_NO = re.compile(r"\b(nein|no|nope|lieber nicht|rather not)\b|👎", re.IGNORECASE)
_OWN = "p.platform || ':' || lower(ltrim(coalesce(p.author, ''), '@'))"


def suggest(
    con: duckdb.DuckDBPyConnection, settings: Settings, limit: int = 50
) -> list[dict[str, Any]]:
    """Return positive posts about us with media or strong praise, not yet asked about."""
    rows = con.execute(
        f"""
        SELECT DISTINCT p.platform, p.native_id, p.url, p.author, p.text, p.has_media,
               p.sentiment_score, coalesce(p.likes, 0) + coalesce(p.reposts, 0) AS engagement
        FROM posts p
        JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
        JOIN topics t ON t.name = m.topic
        LEFT JOIN ugc_permissions u ON u.platform = p.platform AND u.native_id = p.native_id
        WHERE list_contains(?, t.kind) AND p.sentiment = 'positive' AND u.status IS NULL
          AND p.repost_of IS NULL AND NOT list_contains(?, {_OWN})
          AND (coalesce(p.has_media, false) OR coalesce(p.sentiment_score, 0) >= 0.8
               OR list_contains(coalesce(p.intents, []::VARCHAR[]), 'recommendation'))
        ORDER BY engagement DESC, p.native_id LIMIT ?
        """,  # noqa: S608 - fixed expression
        [settings.inbox.topic_kinds, own_keys(con, settings), limit],
    ).fetchall()
    names = ("platform", "native_id", "url", "author", "text", "has_media", "score", "engagement")
    return [dict(zip(names, r, strict=True)) for r in rows]


def request_permission(
    store: Store,
    settings: Settings,
    folder: Path,
    target: tuple[str, str],
    *,
    by: str,
    text: str | None = None,
    lang: str = "de",
) -> ReplyResult:
    """Ask the author for permission in a reply, and remember that we asked."""
    row = store.con.execute(
        "SELECT author FROM posts WHERE platform = ? AND native_id = ?", list(target)
    ).fetchone()
    author = norm_handle(str(row[0])) if row and row[0] else ""
    body = text or PERMISSION_TEXT.get(lang, PERMISSION_TEXT["en"])
    if target[0] == "mastodon" and author:
        body = f"@{author} {body}"
    result = send_reply(store, settings, folder, target, body, by=by)
    with store.transaction() as con:
        con.execute(
            "INSERT INTO ugc_permissions (platform, native_id, author, status, "
            "request_outbox_id, requested_at) VALUES (?, ?, ?, 'requested', ?, ?) "
            "ON CONFLICT (platform, native_id) DO UPDATE SET status = 'requested', "
            "request_outbox_id = excluded.request_outbox_id, requested_at = excluded.requested_at",
            [*target, author, result.outbox_ids[0], utcnow()],
        )
    return result


def check_answers(con: duckdb.DuckDBPyConnection) -> int:
    """Read the authors' replies to our requests (JA/NEIN, YES/NO); return decisions made."""
    rows = con.execute(
        """
        SELECT u.platform, u.native_id, p.native_id, p.text
        FROM ugc_permissions u
        JOIN outbox o ON o.id = u.request_outbox_id AND o.state = 'published'
        JOIN posts p ON p.platform = u.platform AND p.reply_to = o.remote_id
             AND lower(ltrim(p.author, '@')) = u.author
        WHERE u.status = 'requested'
        ORDER BY p.created_at
        """
    ).fetchall()
    decided = 0
    for platform, native_id, answer_id, text in rows:
        status = "denied" if _NO.search(text) else "granted" if _YES.search(text) else None
        if status is not None:
            decided += _decide(con, (platform, native_id), status, answer_id)
    return decided


def _decide(
    con: duckdb.DuckDBPyConnection, target: tuple[str, str], status: str, evidence: str
) -> int:
    row = con.execute(
        "UPDATE ugc_permissions SET status = ?, decided_at = ?, evidence = ? "
        "WHERE platform = ? AND native_id = ? AND status = 'requested' RETURNING 1",
        [status, utcnow(), evidence, *target],
    ).fetchone()
    return 0 if row is None else 1


def set_permission(
    con: duckdb.DuckDBPyConnection, target: tuple[str, str], status: str, evidence: str
) -> None:
    """Record a decision made elsewhere (e.g. by e-mail), with a note on where."""
    if status not in ("granted", "denied", "requested"):
        raise ValueError("status is granted, denied or requested")
    con.execute(
        "INSERT INTO ugc_permissions (platform, native_id, status, decided_at, evidence) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, native_id) DO UPDATE SET "
        "status = excluded.status, decided_at = excluded.decided_at, evidence = excluded.evidence",
        [*target, status, utcnow(), evidence],
    )


def permission(con: duckdb.DuckDBPyConnection, target: tuple[str, str]) -> str | None:
    """Return the permission status of a post (None: never asked)."""
    row = con.execute(
        "SELECT status FROM ugc_permissions WHERE platform = ? AND native_id = ?", list(target)
    ).fetchone()
    return None if row is None else str(row[0])


def may_use(con: duckdb.DuckDBPyConnection, target: tuple[str, str]) -> bool:
    """Return whether the author allowed us to reuse the post."""
    return permission(con, target) == "granted"
