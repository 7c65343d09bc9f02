"""Mastodon over real HTTP and WebSocket: paging, crash resume, quarantine, live stream."""

from __future__ import annotations

from typing import Any

import pytest
from recorded import FAST, at, fixture_json, run_until

from resonanz.errors import Unavailable
from resonanz.localnet import mastodon as local
from resonanz.localnet.state import Fault, NetworkState
from resonanz.pipeline import open_ingestor
from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch
from resonanz.sources.registry import Factory, Planned
from resonanz.sources.runner import Runner
from resonanz.workspace import Workspace


def statuses(count: int, offset: int = 0) -> list[dict[str, Any]]:
    who = local.account("anna@social.example", 7, followers=99)
    return [
        local.status(5000 + i, f"Acme #{i}", at(i), who, tags=["acme"])
        for i in range(offset, offset + count)
    ]


def ids(workspace: Workspace) -> list[str]:
    with workspace.open() as store:
        rows = store.con.execute("SELECT native_id FROM posts ORDER BY native_id").fetchall()
    return [r[0] for r in rows]


def test_recorded_statuses_keep_edges_authors_and_raw(serve: Any, workspace: Workspace) -> None:
    state = NetworkState(
        "mastodon", posts=list(reversed(fixture_json("mastodon", "statuses.json")))
    )
    state.posts += fixture_json("mastodon", "malformed.json")[:2]
    url = serve("mastodon", state)
    result = fetch(workspace, cfg.MastodonSource(instance=url, hashtag="acme", http=FAST))
    # Only the first status carries #acme; the hashtag timeline serves only that one.
    assert result.posts_new == 1
    fetch(workspace, cfg.MastodonSource(instance=url, hashtag="x", name="all", http=FAST))
    result = fetch(workspace, cfg.MastodonSource(instance=url, query="acme", http=FAST))
    with workspace.open() as store:
        post = store.con.execute(
            "SELECT author, reply_to, hashtags, mentions, links, has_media, likes, raw "
            "FROM posts WHERE native_id = '113500000000000003'"
        ).fetchone()
        kinds = dict(store.con.execute("SELECT kind, count(*) FROM edges GROUP BY kind").fetchall())
        followers = store.con.execute(
            "SELECT followers FROM authors WHERE handle = 'anna@social.example'"
        ).fetchone()
    assert post is not None
    assert post[0] == "anna@social.example"
    assert post[1] == "113499999999999999"
    assert post[2] == ["acme"]
    assert post[3] == ["acme@other.example"]
    assert post[4] == ["https://blog.example/review"]
    assert post[5] is True and post[6] == 12
    assert '"favourites_count": 12' in post[7]
    assert kinds.get("reply") == 1 and kinds.get("mention") == 1
    assert followers == (1520,)


def test_backfill_pages_resume_after_a_crash_without_gaps(serve: Any, workspace: Workspace) -> None:
    state = NetworkState("mastodon", posts=statuses(30), page_size=7)
    state.faults = [Fault("/api/v1/timelines/tag", 500, after=2)]  # the 3rd page fails
    url = serve("mastodon", state)
    settings = cfg.MastodonSource(
        instance=url, hashtag="acme", http=FAST.model_copy(update={"retries": 0})
    )
    with pytest.raises(Unavailable):
        fetch(workspace, settings)
    assert len(ids(workspace)) == 14  # two pages stored, with a cursor inside the run
    for item in statuses(3, offset=30):
        state.add_post(item)
    fetch(workspace, settings)  # finishes the interrupted run first …
    assert len(ids(workspace)) == 30
    fetch(workspace, settings)  # … and then picks up what is new
    assert len(ids(workspace)) == 33


def test_empty_timeline_and_429(serve: Any, workspace: Workspace) -> None:
    state = NetworkState("mastodon")
    state.faults = [Fault("/api", 429, headers={"Retry-After": "0.01"})]
    url = serve("mastodon", state)
    result = fetch(workspace, cfg.MastodonSource(instance=url, hashtag="acme", http=FAST))
    assert result.posts_new == 0
    assert state.requests.count("/api/v1/timelines/tag/acme") == 2


def test_stream_drop_resumes_without_gaps_or_duplicates(serve: Any, workspace: Workspace) -> None:
    state = NetworkState("mastodon", posts=statuses(5), page_size=3)
    state.drop_stream_after = 2
    state.duplicate_stream = True
    url = serve("mastodon", state)
    settings = cfg.MastodonSource(instance=url, hashtag="acme", http=FAST)
    with workspace.open(write=True) as store:
        ingestor = open_ingestor(workspace, store)
        planned = [Planned(Factory(workspace.folder).source(settings), 60)]
        runner = Runner(ingestor, planned, retry_base=0.01)
        pushed = iter(statuses(6, offset=5))

        def done() -> bool:
            # Publish one status per check while streaming; the stream drops after two.
            if runner.states[0].state == "live":
                item = next(pushed, None)
                if item is not None:
                    state.add_post(item)
            reconnected = state.requests.count("/api/v1/streaming") >= 2
            return reconnected and store.count("posts") >= 11

        run_until(runner, done, settle=0.3)
        got = [r[0] for r in store.con.execute("SELECT native_id FROM posts").fetchall()]
        metrics = store.count("post_metrics")
    assert sorted(got) == sorted(str(5000 + i) for i in range(11))
    assert metrics >= 11  # duplicate deliveries are absorbed by the idempotent store
    assert state.requests.count("/api/v1/streaming") >= 2  # reconnected after the drop
