"""The Jetstream replay pushes every scheduled event, in order, in Jetstream's format."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime

import httpx
import websockets

from resonanz.localnet.replay import Replay, serve
from resonanz.sources.bluesky import normalize_jetstream


async def _receive(url: str, count: int) -> list[dict[str, object]]:
    events = []
    async with websockets.connect(url + "/subscribe?wantedCollections=app.bsky.feed.post") as ws:
        while len(events) < count:
            events.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=10)))
    return events


def test_replay_sends_every_event_due_in_order() -> None:
    replay = Replay(rate=2_000, duration=0.5)
    url, stop = serve(replay)
    try:
        events = asyncio.run(_receive("ws" + url.removeprefix("http"), replay.total))
        stats = httpx.get(url + "/stats", timeout=5).json()
        search = httpx.get(url + "/xrpc/app.bsky.feed.searchPosts?q=x", timeout=5).json()
    finally:
        stop()
    assert len(events) == 1_000
    times = [int(str(e["time_us"])) for e in events]
    assert times == sorted(times)
    assert len(set(times)) == len(times)
    step_us = [b - a for a, b in itertools.pairwise(times)]
    assert min(step_us) >= 499 and max(step_us) <= 501  # 2,000 events per second
    assert stats["sent"] == 1_000 and stats["total"] == 1_000
    assert search == {"posts": []}


def test_replay_events_normalise_as_bluesky_posts() -> None:
    replay = Replay(rate=1_000, duration=0.05)
    url, stop = serve(replay)
    try:
        events = asyncio.run(_receive("ws" + url.removeprefix("http"), replay.total))
    finally:
        stop()
    items = [normalize_jetstream(e, {}) for e in events]
    posts = [item.post for item in items if item.post is not None]
    assert len(posts) == len(events) == 50
    assert len({p["native_id"] for p in posts}) == 50
    first = posts[0]
    assert first["platform"] == "bluesky" and first["text"]
    # The post's creation time is the moment its event was due.
    due = datetime.fromtimestamp(int(str(events[0]["time_us"])) / 1e6, UTC)
    assert abs((first["created_at"] - due).total_seconds()) < 0.001


def test_a_cursor_older_than_the_schedule_gets_it_from_the_start() -> None:
    replay = Replay(rate=1_000, duration=0.5)
    url, stop = serve(replay)
    base = "ws" + url.removeprefix("http") + "/subscribe?wantedCollections=app.bsky.feed.post"

    async def twice() -> tuple[list[dict[str, object]], dict[str, object]]:
        first = []
        async with websockets.connect(base) as ws:  # dropped before anything is stored
            first.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=10)))
        await asyncio.sleep(0.2)  # events fall due meanwhile
        assert replay.started is not None
        cursor = int((replay.started - 60) * 1e6)  # when the consumer's backfill began
        async with websockets.connect(f"{base}&cursor={cursor}") as ws:
            again = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        return first, again

    try:
        first, again = asyncio.run(twice())
    finally:
        stop()
    assert again["time_us"] == first[0]["time_us"]  # the start again, not what is due now
