"""The content calendar: drafts with per-network variants, approval, and scheduling.

Flow: ``draft`` → ``in_review`` (submit) → ``approved`` (approve; the content check must pass)
→ ``scheduled`` (schedule: every variant part goes into the outbox). ``reject`` sends a
draft in review back to ``draft``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from resonanz.config import Settings
from resonanz.errors import ResonanzError
from resonanz.publish import outbox
from resonanz.publish.channels import channel
from resonanz.publish.variants import variants
from resonanz.records import utcnow

STATUSES = ("draft", "in_review", "approved", "scheduled")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


class CalendarError(ResonanzError):
    """A calendar action is not allowed (wrong state, failed check, unknown draft)."""


@dataclass(frozen=True)
class Draft:
    """A calendar entry with its per-channel variants (a list of thread parts each)."""

    id: str
    title: str | None
    text: str
    channels: list[str]
    status: str
    campaign: str | None
    thread: bool
    scheduled_for: datetime | None
    ugc: tuple[str, str] | None
    variants: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def _networks(settings: Settings, channels: list[str]) -> dict[str, str]:
    return {name: channel(settings.publish, name).network for name in channels}


def _track(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    text: str,
    draft_id: str,
    net: str,
    campaign: str | None,
) -> str:
    """Replace every outside link by a tracked short link for this draft and network."""
    from resonanz.track.links import create_link, short_url  # late: track builds on publish

    base = settings.publish.link_base.rstrip("/")

    def swap(match: re.Match[str]) -> str:
        url = match.group(0)
        if url.startswith(base):
            return url
        code = create_link(con, url, campaign=campaign, post_ref=draft_id, network=net)
        return short_url(base, code)

    return _URL.sub(swap, text)


def _write_variants(con: duckdb.DuckDBPyConnection, settings: Settings, draft: Draft) -> None:
    con.execute("DELETE FROM draft_variants WHERE draft_id = ?", [draft.id])
    for name, network in _networks(settings, draft.channels).items():
        text = draft.text
        if settings.publish.track_links:
            text = _track(con, settings, text, draft.id, network, draft.campaign)
        for part, piece in enumerate(variants(text, {name: network}, thread=draft.thread)[name]):
            con.execute(
                "INSERT INTO draft_variants VALUES (?, ?, ?, ?)", [draft.id, name, part, piece]
            )


def add_draft(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    text: str,
    channels: list[str],
    *,
    title: str | None = None,
    campaign: str | None = None,
    thread: bool = False,
    scheduled_for: datetime | None = None,
    ugc: tuple[str, str] | None = None,
    draft_id: str | None = None,
) -> str:
    """Create a draft and its variants (links become tracked links); return its id."""
    if not channels:
        raise CalendarError("name at least one channel (see [publish.channels])")
    draft = Draft(
        draft_id or f"d-{uuid.uuid4().hex[:12]}",
        title,
        text,
        channels,
        "draft",
        campaign,
        thread,
        scheduled_for,
        ugc,
    )
    now = utcnow()
    con.execute(
        "INSERT INTO drafts VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?)",
        [
            draft.id,
            title,
            text,
            channels,
            campaign,
            thread,
            *(ugc or (None, None)),
            scheduled_for,
            now,
            now,
        ],
    )
    _write_variants(con, settings, draft)
    return draft.id


def edit_draft(
    con: duckdb.DuckDBPyConnection, settings: Settings, draft_id: str, **changes: Any
) -> None:
    """Change text, channels, title, campaign, thread or scheduled_for; back to ``draft``."""
    draft = get_draft(con, draft_id)
    if draft.status == "scheduled":
        raise CalendarError(f"draft {draft_id} is scheduled already; it cannot change now")
    allowed = {"text", "channels", "title", "campaign", "thread", "scheduled_for"}
    unknown = set(changes) - allowed
    if unknown:
        raise CalendarError(f"cannot change {', '.join(sorted(unknown))}")
    merged = {**asdict(draft), **changes}
    con.execute(
        "UPDATE drafts SET text = ?, networks = ?, title = ?, campaign = ?, thread = ?, "
        "scheduled_for = ?, status = 'draft', updated_at = ? WHERE id = ?",
        [
            merged["text"],
            merged["channels"],
            merged["title"],
            merged["campaign"],
            merged["thread"],
            merged["scheduled_for"],
            utcnow(),
            draft_id,
        ],
    )
    _write_variants(con, settings, get_draft(con, draft_id))


_DRAFT_SQL = (
    "SELECT id, title, text, networks, status, campaign, thread, scheduled_for, "
    "ugc_platform, ugc_native_id FROM drafts"
)


def _draft(con: duckdb.DuckDBPyConnection, row: tuple[Any, ...]) -> Draft:
    parts: dict[str, list[str]] = {}
    for name, text in con.execute(
        "SELECT channel, text FROM draft_variants WHERE draft_id = ? ORDER BY channel, part",
        [row[0]],
    ).fetchall():
        parts.setdefault(name, []).append(text)
    ugc = (row[8], row[9]) if row[8] else None
    return Draft(
        id=row[0],
        title=row[1],
        text=row[2],
        channels=list(row[3]),
        status=row[4],
        campaign=row[5],
        thread=bool(row[6]),
        scheduled_for=row[7],
        ugc=ugc,
        variants=parts,
    )


def get_draft(con: duckdb.DuckDBPyConnection, draft_id: str) -> Draft:
    """Return one draft or raise naming the fix."""
    row = con.execute(_DRAFT_SQL + " WHERE id = ?", [draft_id]).fetchone()
    if row is None:
        raise CalendarError(f"no draft {draft_id!r}; see `resonanz calendar list`")
    return _draft(con, row)


def list_drafts(
    con: duckdb.DuckDBPyConnection, statuses: tuple[str, ...] = STATUSES
) -> list[Draft]:
    """Return drafts in the given statuses by planned time (unplanned last)."""
    rows = con.execute(
        _DRAFT_SQL + " WHERE list_contains(?, status) ORDER BY scheduled_for NULLS LAST, id",
        [list(statuses)],
    ).fetchall()
    return [_draft(con, r) for r in rows]


def _move(
    con: duckdb.DuckDBPyConnection, draft_id: str, src: str, dst: str, actor: str, note: str | None
) -> Draft:
    draft = get_draft(con, draft_id)
    if draft.status != src:
        raise CalendarError(f"draft {draft_id} is {draft.status}; it must be {src} for this step")
    con.execute(
        "UPDATE drafts SET status = ?, updated_at = ? WHERE id = ?", [dst, utcnow(), draft_id]
    )
    action = {
        "in_review": "submit",
        "approved": "approve",
        "draft": "reject",
        "scheduled": "schedule",
    }[dst]
    con.execute(
        "INSERT INTO approvals VALUES (?, ?, ?, ?, ?)", [draft_id, action, actor, note, utcnow()]
    )
    return draft


def submit(con: duckdb.DuckDBPyConnection, draft_id: str, actor: str) -> None:
    """Ask for review."""
    _move(con, draft_id, "draft", "in_review", actor, None)


def reject(con: duckdb.DuckDBPyConnection, draft_id: str, actor: str, note: str) -> None:
    """Send a draft in review back with a note."""
    _move(con, draft_id, "in_review", "draft", actor, note)


def approve(con: duckdb.DuckDBPyConnection, settings: Settings, draft_id: str, actor: str) -> None:
    """Approve a draft in review; refused while the content check reports errors."""
    from resonanz.publish.checks import check_draft  # late: checks read the calendar

    errors = [i for i in check_draft(con, settings, get_draft(con, draft_id)) if i.level == "error"]
    if errors:
        raise CalendarError(f"draft {draft_id} fails the content check: {errors[0].message}")
    _move(con, draft_id, "in_review", "approved", actor, None)


def schedule(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    draft_id: str,
    actor: str,
    at: datetime | None = None,
) -> list[str]:
    """Put an approved draft's parts into the outbox for ``at``; return the outbox ids."""
    draft = get_draft(con, draft_id)
    when = at or draft.scheduled_for
    if when is None:
        raise CalendarError(f"draft {draft_id} has no time; give one (--at) or use the suggestion")
    _move(con, draft_id, "approved", "scheduled", actor, None)
    con.execute("UPDATE drafts SET scheduled_for = ? WHERE id = ?", [when, draft_id])
    ids: list[str] = []
    for name, network in _networks(settings, draft.channels).items():
        previous: str | None = None
        for part, text in enumerate(draft.variants.get(name, [])):
            previous = outbox.enqueue(
                con,
                channel=name,
                network=network,
                text=text,
                not_before=when,
                draft_id=draft_id,
                part=part,
                after_id=previous,
                campaign=draft.campaign,
                item_id=f"{draft_id}-{name}-{part}",
            )
            ids.append(previous)
    return ids


def approvals(con: duckdb.DuckDBPyConnection, draft_id: str) -> list[dict[str, Any]]:
    """Return the approval trail of a draft."""
    rows = con.execute(
        "SELECT action, actor, note, acted_at FROM approvals WHERE draft_id = ? ORDER BY acted_at",
        [draft_id],
    ).fetchall()
    return [dict(zip(("action", "actor", "note", "at"), r, strict=True)) for r in rows]
