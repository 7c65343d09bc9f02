"""Tracked links over HTTP, clicks without IPs, referrals, conversions, campaign report."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from resonanz.store import Store
from resonanz.track import routes
from resonanz.track.links import create_link, list_links
from resonanz.track.referrals import create_referral, list_referrals
from resonanz.track.report import campaign_report
from resonanz.workspace import Workspace

SECRET = "shop-secret"


@contextmanager
def _serve(app: Starlette) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def tracked(store: Store) -> Iterator[tuple[str, Store]]:
    @contextmanager
    def shared() -> Iterator[Store]:
        yield store  # the app's long-lived writer store

    app = Starlette(routes=routes(shared, conversion_secret=SECRET))
    with _serve(app) as url:
        yield url, store


def test_redirect_records_click_without_ip(tracked: tuple[str, Store]) -> None:
    url, store = tracked
    with store.transaction() as con:
        code = create_link(
            con,
            "https://shop.acme.example/p?x=1",
            campaign="spring",
            network="mastodon",
            post_ref="d-1",
        )
    with httpx.Client() as client:
        response = client.get(f"{url}/l/{code}", headers={"Referer": "https://social.example/@a/1"})
        assert response.status_code == 302
        target = response.headers["location"]
        assert target.startswith("https://shop.acme.example/p?x=1&utm_source=mastodon")
        assert "utm_campaign=spring" in target and "utm_content=d-1" in target
        assert client.get(f"{url}/l/nope").status_code == 404
    row = store.con.execute("SELECT visitor, referer_host FROM clicks").fetchone()
    assert row is not None and row[1] == "social.example"
    assert "127.0.0.1" not in str(row[0]) and len(str(row[0])) == 16
    assert list_links(store.con, "spring")[0]["clicks"] == 1


def test_conversions_are_authenticated_attributed_and_deduplicated(
    tracked: tuple[str, Store],
) -> None:
    url, store = tracked
    with store.transaction() as con:
        code, link = create_referral(con, "Anna Beispiel", "https://shop.acme.example/", "spring")
        con.execute("INSERT INTO campaigns VALUES ('spring', 100.0, 'EUR', NULL, NULL, now())")
    body = json.dumps({"event_id": "order-1", "value": 49.9, "referral_code": code}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    with httpx.Client() as client:
        client.get(f"{url}/l/{link}")
        bad = client.post(
            f"{url}/api/conversions", content=body, headers={"X-Resonanz-Signature": "sha256=00"}
        )
        assert bad.status_code == 401
        ok = client.post(
            f"{url}/api/conversions", content=body, headers={"X-Resonanz-Signature": signature}
        )
        assert ok.status_code == 201
        assert ok.json()["attribution"]["advocate"] == "Anna Beispiel"
        again = client.post(
            f"{url}/api/conversions", content=body, headers={"Authorization": f"Bearer {SECRET}"}
        )
        assert again.status_code == 200 and again.json()["recorded"] is False
        missing = client.post(
            f"{url}/api/conversions", content=b"{}", headers={"Authorization": f"Bearer {SECRET}"}
        )
        assert missing.status_code == 422
    report = campaign_report(store.con, "spring")
    assert report.conversions == 1 and report.revenue == pytest.approx(49.9)
    assert report.cost_per_conversion == 100.0
    assert report.advocates == 1 and report.referral_clicks == 1 and report.k_factor == 1.0
    assert list_referrals(store.con)[0]["conversions"] == 1


def test_campaign_cascades(workspace: Workspace, store: Store) -> None:
    from datetime import timedelta

    import pyarrow as pa

    from resonanz.records import POST_SCHEMA, to_table, utcnow

    now = utcnow()
    posts = [
        {
            "platform": "mastodon",
            "native_id": "r",
            "author": "acme",
            "text": "Start #spring",
            "created_at": now,
            "collected_at": now,
            "likes": 5,
        },
        {
            "platform": "mastodon",
            "native_id": "a",
            "author": "u1",
            "text": "toll",
            "created_at": now + timedelta(minutes=5),
            "collected_at": now,
            "reply_to": "r",
        },
        {
            "platform": "mastodon",
            "native_id": "b",
            "author": "u2",
            "text": "ja",
            "created_at": now + timedelta(minutes=9),
            "collected_at": now,
            "reply_to": "a",
        },
    ]
    from resonanz.ingest import Batch, Ingestor

    Ingestor(store).write(Batch(posts=to_table(posts, POST_SCHEMA)))
    with store.transaction() as con:
        con.execute(
            "INSERT INTO topics VALUES ('spring', 'campaign', '#spring', NULL, 'test', now())"
        )
        store.insert_matches(
            pa.table({"platform": ["mastodon"], "native_id": ["r"], "topic": ["spring"]})
        )
    report = campaign_report(store.con, "spring", budget=10)
    assert report.posts == 1 and report.engagement == 5
    (tree,) = report.cascades
    assert tree["size"] == 3 and tree["depth"] == 2 and tree["participants"] == 2
