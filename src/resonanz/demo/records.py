"""Turn the simulation into Resonanz records: posts, authors, accounts and notifications."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa

from resonanz.demo.simulate import Simulation
from resonanz.demo.world import SimPost
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA

SOURCE = "demo"
SERVICE_URLS = {"mastodon": "https://mastodon.social", "bluesky": "https://bsky.social"}


def post_rows(sim: Simulation, batch: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Yield (posts, authors) tables in creation-time order, ``batch`` posts at a time.

    Each author comes with the batch of their first post.
    """
    collected = sim.world.clock.anchor
    order = sorted(sim.world.posts, key=lambda p: (p.created_at, p.idx))
    introduced: set[tuple[str, str]] = set()
    for start in range(0, len(order), batch):
        chunk = order[start : start + batch]
        authors = []
        for post in chunk:
            key = (post.author.platform, post.author.handle)
            if key not in introduced:
                introduced.add(key)
                authors.append(_author_row(post, collected))
        yield _posts_table(sim, chunk), _table(authors, AUTHOR_SCHEMA)


def _table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pydict({n: [r.get(n) for r in rows] for n in schema.names}, schema=schema)


def _posts_table(sim: Simulation, chunk: list[SimPost]) -> pa.Table:
    """Build the posts table of one batch column by column."""
    ids, urls = sim.ids, sim.urls
    collected = sim.world.clock.anchor

    def ref(kind: str) -> list[str | None]:
        return [ids[p.parent] if p.kind == kind and p.parent is not None else None for p in chunk]

    def extra(name: str) -> list[Any]:
        return [p.extra.get(name) for p in chunk]

    columns: dict[str, list[Any]] = {
        "platform": [p.author.platform for p in chunk],
        "native_id": [ids[p.idx] for p in chunk],
        "url": [urls[p.idx] for p in chunk],
        "author": [p.author.handle for p in chunk],
        "text": [p.text for p in chunk],
        "lang": [p.lang for p in chunk],
        "created_at": [p.created_at for p in chunk],
        "reply_to": ref("reply"),
        "repost_of": ref("repost"),
        "quote_of": ref("quote"),
        "thread_root": [
            ids[p.root] if p.root is not None and p.root != p.idx else None for p in chunk
        ],
        "hashtags": [p.hashtags for p in chunk],
        "mentions": [p.mentions for p in chunk],
        "links": [p.links for p in chunk],
        "has_media": [p.has_media for p in chunk],
        "likes": extra("likes"),
        "reposts": extra("reposts"),
        "replies": extra("replies"),
        "views": extra("views"),
        "collected_at": [collected] * len(chunk),
        "source": [SOURCE] * len(chunk),
        "raw": [_raw(p, ids[p.idx]) for p in chunk],
    }
    return pa.Table.from_pydict(columns, schema=POST_SCHEMA)


def _raw(post: SimPost, native: str) -> str:
    """Return a small payload like a network's, marked as simulated."""
    payload = {
        "id": native,
        "account": post.author.handle,
        "created_at": post.created_at.isoformat(),
        "simulated": True,
    }
    return json.dumps(payload, ensure_ascii=False)


def _author_row(post: SimPost, collected: datetime) -> dict[str, Any]:
    a = post.author
    return {
        "platform": a.platform,
        "handle": a.handle,
        "display_name": a.display_name,
        "bio": a.bio,
        "followers": a.followers,
        "following": a.following,
        "is_bot": a.is_bot,
        "updated_at": collected,
        "raw": None,
    }


def notification_rows(sim: Simulation) -> list[dict[str, Any]]:
    """Return what our accounts were notified of: mentions, replies, quotes and reposts."""
    world, ids = sim.world, sim.ids
    accounts = {a.handle: (p, f"{p}:{a.handle}") for p, a in world.own.items()}
    rows = []
    for post in world.posts:
        if post.author.group == "own":
            continue
        parent = world.posts[post.parent] if post.parent is not None else None
        kind, handle = None, None
        if parent is not None and parent.author.handle in accounts:
            kind, handle = post.kind, parent.author.handle
        else:
            handle = next((h for h in post.mentions if h in accounts), None)
            kind = "mention" if handle else None
        if kind is None or handle is None:
            continue
        platform, account_id = accounts[handle]
        if platform != post.author.platform:
            continue
        rows.append(
            {
                "account_id": account_id,
                "platform": platform,
                "native_id": f"{kind}:{ids[post.idx]}",
                "kind": kind,
                "post_native_id": ids[post.idx],
                "author": post.author.handle,
                "created_at": post.created_at,
                "raw": None,
            }
        )
    return rows


def account_rows(sim: Simulation) -> list[dict[str, Any]]:
    """Return the rows of our own accounts for the ``accounts`` table."""
    return [
        {
            "id": f"{platform}:{author.handle}",
            "network": platform,
            "handle": author.handle,
            "service_url": SERVICE_URLS.get(platform),
            "brand": "Rheinrad",
            "status": "ok",
            "status_detail": None,
            "updated_at": sim.world.clock.anchor,
        }
        for platform, author in sorted(sim.world.own.items())
    ]
