"""Answer posts from Resonanz: saved replies with variables, and replies sent as real replies.

A reply is queued in the outbox (so it goes out exactly once, like every post) and sent at
once through the channel of the post's network; publishing it closes the item's clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from resonanz.config import Settings
from resonanz.engage.accounts import norm_handle
from resonanz.engage.inbox import InboxError, get_item
from resonanz.errors import ResonanzError
from resonanz.publish import outbox
from resonanz.publish.scheduler import deliver
from resonanz.publish.variants import split_thread
from resonanz.records import utcnow
from resonanz.store import Store

_VAR = re.compile(r"\{(\w+)\}")


class ReplyError(ResonanzError):
    """A reply cannot be built or sent (unknown saved reply, variable, channel)."""


@dataclass(frozen=True)
class ReplyResult:
    """What happened to a reply: its outbox ids and state, and where it landed."""

    outbox_ids: list[str]
    state: str
    remote_id: str | None
    url: str | None
    error: str | None


def save_reply(
    con: duckdb.DuckDBPyConnection, name: str, text: str, lang: str | None = None
) -> None:
    """Create or replace a saved reply; ``{author}``, ``{name}`` … are filled in when used."""
    con.execute(
        "INSERT INTO saved_replies VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "text = excluded.text, lang = excluded.lang, updated_at = excluded.updated_at",
        [name, text, lang, utcnow()],
    )


def saved_replies(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the saved replies by name."""
    return {
        str(n): str(t) for n, t in con.execute("SELECT name, text FROM saved_replies").fetchall()
    }


def render(template: str, variables: Mapping[str, str]) -> str:
    """Fill ``{variable}`` placeholders; an unknown one is an error naming it.

    >>> render("Hallo {name}!", {"name": "Anna"})
    'Hallo Anna!'
    """

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in variables:
            known = ", ".join(sorted(variables))
            raise ReplyError(f"the reply uses {{{key}}}, which is not known (known: {known})")
        return variables[key]

    return _VAR.sub(fill, template)


def pick_channel(settings: Settings, platform: str, channel: str | None) -> str:
    """Return the channel to answer a post on ``platform`` from."""
    if channel is not None:
        if channel not in settings.publish.channels:
            raise ReplyError(f"unknown channel {channel!r}; add [publish.channels.{channel}]")
        return channel
    for name, conf in settings.publish.channels.items():
        if conf.network == platform:
            return name
    raise ReplyError(
        f"no channel publishes to {platform}; add [publish.channels.NAME] with "
        f'network = "{platform}" to resonanz.toml'
    )


def send_reply(
    store: Store,
    settings: Settings,
    folder: Path,
    target: tuple[str, str],
    text: str,
    *,
    by: str,
    channel: str | None = None,
    item_id: int | None = None,
    saved: str | None = None,
) -> ReplyResult:
    """Queue a reply to ``target`` (platform, native id), send it now, and report."""
    name = pick_channel(settings, target[0], channel)
    network = settings.publish.channels[name].network
    ids: list[str] = []
    with store.transaction() as con:
        previous: str | None = None
        for part, piece in enumerate(split_thread(text, network)):
            previous = outbox.enqueue(
                con,
                channel=name,
                network=network,
                text=piece,
                not_before=utcnow(),
                kind="reply",
                part=part,
                after_id=previous,
                reply_to=target if previous is None else None,
            )
            ids.append(previous)
            if item_id is not None:
                con.execute(
                    "INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                    [item_id, previous, piece, saved, by, utcnow()],
                )
        if item_id is not None:
            con.execute(
                "UPDATE inbox_items SET status = 'waiting', updated_at = ? WHERE id = ? "
                "AND status IN ('new', 'assigned')",
                [utcnow(), item_id],
            )
    deliver(store, settings.publish, folder, ids)
    first = outbox.get(store.con, ids[0])
    last = outbox.get(store.con, ids[-1])
    return ReplyResult(ids, last.state, first.remote_id, first.remote_url, last.last_error)


def reply_to_item(
    store: Store,
    settings: Settings,
    folder: Path,
    item_id: int,
    text: str | None = None,
    *,
    saved: str | None = None,
    by: str = "resonanz",
    channel: str | None = None,
    variables: Mapping[str, str] | None = None,
) -> ReplyResult:
    """Answer an inbox item with ``text`` or a saved reply, as a real reply in its thread."""
    item = get_item(store.con, settings, item_id)
    if item.status == "closed":
        raise InboxError(f"inbox item {item_id} is closed; reopen it with `resonanz inbox`")
    if saved is not None:
        templates = saved_replies(store.con)
        if saved not in templates:
            raise ReplyError(f"no saved reply {saved!r}; known: {', '.join(sorted(templates))}")
        text = templates[saved]
    if not text:
        raise ReplyError("give the reply's text or --saved NAME")
    row = store.con.execute(
        "SELECT display_name FROM authors WHERE platform = ? AND handle = ?",
        [item.platform, item.author],
    ).fetchone()
    handle = norm_handle(item.author or "")
    values = {
        "author": handle,
        "name": str(row[0]) if row and row[0] else handle.split("@")[0],
        "responder": by,
        "network": item.platform,
        **(variables or {}),
    }
    body = render(text, values)
    if item.platform == "mastodon" and handle and f"@{handle}" not in body:
        body = f"@{handle} {body}"  # so the author is notified of the answer
    return send_reply(
        store,
        settings,
        folder,
        (item.platform, item.native_id),
        body,
        by=by,
        channel=channel,
        item_id=item_id,
        saved=saved,
    )
