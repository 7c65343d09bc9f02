"""Serve a (demo) workspace's posts through the local network servers.

Most posts are served at once (backfill); the rest are released a few per second, with
Jetstream events and streaming updates, so ``resonanz listen`` has something live to show.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from resonanz.localnet import bluesky, hackernews, mastodon, reddit
from resonanz.localnet.app import NETWORKS, build_app
from resonanz.localnet.server import run_in_thread
from resonanz.localnet.state import NetworkState

_COLUMNS = (
    "platform, native_id, author, text, lang, created_at, reply_to, hashtags, likes, reposts, "
    "replies"
)


def _rows(folder: Path) -> list[dict[str, Any]]:
    from resonanz.workspace import Workspace

    with Workspace.load(folder).open(write=False) as store:
        cur = store.con.execute(f"SELECT {_COLUMNS} FROM posts ORDER BY created_at, native_id")  # noqa: S608
        names = [d[0] for d in cur.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def sample_rows(count: int = 60) -> list[dict[str, Any]]:
    """Return a small built-in world when no workspace is given."""
    start = datetime.now(UTC) - timedelta(hours=count)
    texts = ["Acme Phone battery is great", "Acme support never answers", "Rival Corp launch today"]
    rows = []
    for i in range(count):
        for platform in ("mastodon", "bluesky", "reddit", "hackernews", "rss"):
            rows.append(
                {
                    "platform": platform,
                    "native_id": f"{platform}-{i}",
                    "author": f"user{i % 7}",
                    "text": f"{texts[i % 3]} #{'acme' if i % 3 < 2 else 'rival'} ({i})",
                    "lang": "en",
                    "created_at": start + timedelta(hours=i),
                    "reply_to": None,
                    "hashtags": ["acme" if i % 3 < 2 else "rival"],
                    "likes": i % 5,
                    "reposts": i % 3,
                    "replies": 0,
                }
            )
    return rows


def to_platform(row: dict[str, Any], number: int, ids: dict[str, str]) -> dict[str, Any] | None:
    """Return ``row`` in its platform's API format (None for platforms not served)."""
    when = row["created_at"].astimezone(UTC)
    counts = (row["likes"] or 0, row["reposts"] or 0, row["replies"] or 0)
    reply = ids.get(row["reply_to"] or "")
    author = str(row["author"] or "anonymous")
    platform = row["platform"]
    if platform == "mastodon":
        who = mastodon.account(author, abs(hash(author)) % 10**9)
        tags = list(row["hashtags"] or [])
        return mastodon.status(
            number,
            row["text"],
            when,
            who,
            tags=tags,
            reply_to=reply,
            counts=counts,
            lang=row["lang"],
        )
    if platform == "bluesky":
        handle = author if "." in author else f"{author}.bsky.social"
        return bluesky.post_view(
            f"3l{number:011d}",
            handle,
            row["text"],
            when,
            reply_to=reply,
            counts=counts,
            lang=row["lang"],
        )
    if platform == "reddit":
        return reddit.link(
            f"{number:x}", row["text"][:80], author, when, selftext=row["text"], score=counts[0]
        )
    if platform == "hackernews":
        return hackernews.hit(number, author, when, title=row["text"][:80], points=counts[0])
    if platform == "rss":
        return {
            "id": f"urn:local:{number}",
            "title": row["text"][:80],
            "link": f"https://blog.example/{number}",
            "summary": row["text"],
            "published": when,
            "author": author,
        }
    return None


def build_states(rows: list[dict[str, Any]], hold_back: float) -> dict[str, NetworkState]:
    """Convert workspace rows into one state per network, holding back the newest share."""
    states = {n: NetworkState(n) for n in NETWORKS}
    ids: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        item = to_platform(row, number, ids)
        if item is None:
            continue
        state = states[row["platform"]]
        state.posts.append(item)
        ids[row["native_id"]] = str(item.get("uri") or item.get("id") or "")
    for state in states.values():
        state.visible = len(state.posts) - int(len(state.posts) * hold_back)
    return states


def release(states: dict[str, NetworkState], per_second: float, stop: threading.Event) -> None:
    """Make held-back posts visible, ``per_second`` per network (until ``stop``)."""
    clock = int(time.time() * 1_000_000)
    while not stop.wait(1.0 / max(per_second, 0.01)):
        for state in states.values():
            with state.lock:
                if state.visible is None or state.visible >= len(state.posts):
                    continue
                item = state.posts[state.visible]
                state.visible += 1
                if state.network == "bluesky":
                    clock = max(clock + 1, int(time.time() * 1_000_000))
                    state.events.append(bluesky.jetstream_event(item, clock))


def sources_toml(urls: dict[str, str], query: str, hashtag: str) -> str:
    """Return ``[[sources]]`` entries pointing at the local servers."""
    ws_url = urls["bluesky"].replace("http://", "ws://")
    return f"""
[[sources]]
type = "mastodon"
instance = "{urls["mastodon"]}"
hashtag = "{hashtag}"

[[sources]]
type = "bluesky"
service = "{urls["bluesky"]}"
jetstream = "{ws_url}"
query = "{query}"

[[sources]]
type = "reddit"
api_url = "{urls["reddit"]}"
auth_url = "{urls["reddit"]}"
query = "{query}"
client_id = {{env = "RESONANZ_LOCAL_ID"}}
client_secret = {{env = "RESONANZ_LOCAL_SECRET"}}
poll_seconds = 5

[[sources]]
type = "hackernews"
api = "{urls["hackernews"]}/api/v1"
query = "{query}"
poll_seconds = 5

[[sources]]
type = "rss"
url = "{urls["rss"]}/"
poll_seconds = 5
"""


def _main_words(rows: list[dict[str, Any]]) -> tuple[str, str]:
    tags: dict[str, int] = {}
    for row in rows:
        for tag in row.get("hashtags") or ():
            tags[tag] = tags.get(tag, 0) + 1
    hashtag = max(tags, key=lambda t: tags[t]) if tags else "acme"
    return hashtag, hashtag


def serve_demo(
    folder: Path | None,
    *,
    trickle: float = 2.0,
    hold_back: float = 0.1,
    max_seconds: float | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve every network until interrupted; print the sources to configure."""
    rows = _rows(folder) if folder is not None else sample_rows()
    states = build_states(rows, hold_back)
    servers = {name: run_in_thread(build_app(name, state)) for name, state in states.items()}
    stop = threading.Event()
    releaser = threading.Thread(target=release, args=(states, trickle, stop), daemon=True)
    releaser.start()
    hashtag, query = _main_words(rows)
    urls = {name: url for name, (url, _) in servers.items()}
    echo("# Local networks are up. Add these to a workspace's resonanz.toml, then run")
    echo("#   RESONANZ_LOCAL_ID=x RESONANZ_LOCAL_SECRET=y resonanz listen -w THAT_WORKSPACE")
    echo(sources_toml(urls, query, hashtag))
    try:
        stop.wait(max_seconds)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        releaser.join(5)
        for _, halt in servers.values():
            halt()
