"""The JSON API over real HTTP: OpenAPI, filters, insights, and the shop's webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_world import Browserless, LiveServer, new_token, serve_in_thread

from resonanz.track.links import create_link
from resonanz.workspace import Workspace

SHOP_SECRET = "shared-shop-secret"


@pytest.fixture(scope="module")
def server(web_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    import shutil

    target = tmp_path_factory.mktemp("api") / "ws"
    shutil.copytree(web_world, target)
    (target / "shop.secret").write_text(SHOP_SECRET, encoding="utf-8")
    config = target / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\n[publish]\nconversion_token = {file = "shop.secret"}\n',
        encoding="utf-8",
    )
    workspace = Workspace.load(target)
    with workspace.open(write=True) as store:
        code = create_link(store.con, "https://shop.acme.example/spring", campaign="spring")
    (target / "link.code").write_text(code, encoding="utf-8")
    yield from serve_in_thread(workspace)


def test_openapi_document(server: LiveServer) -> None:
    doc = httpx.get(server.url + "/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/mentions", "/api/conversions", "/api/insights/{name}"} <= set(doc["paths"])


def test_read_endpoints(server: LiveServer) -> None:
    token = new_token(server, "viewer")
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as api:
        found = api.get("/api/mentions", params={"sentiment": "negative", "limit": 5}).json()
        assert len(found["mentions"]) == 5
        assert {m["sentiment"] for m in found["mentions"]} == {"negative"}
        sov = api.get("/api/insights/share-of-voice", params={"since": "2026-02-01"})
        assert sov.status_code == 200 and sov.json()["totals"]
        assert api.get("/api/insights/no-such").status_code == 501
        assert api.get("/api/mentions", params={"limit": "x"}).status_code == 400
        assert api.get("/api/mentions", params={"query": "acme AND ("}).status_code == 400
        assert api.get("/api/inbox").status_code == 200


def test_session_cookie_does_not_open_the_api(server: LiveServer) -> None:
    client = Browserless(server, "admin")
    try:
        assert client.client.get("/api/stats").status_code == 401
    finally:
        client.close()


def test_shop_webhook_with_shared_secret_and_signature(server: LiveServer) -> None:
    body = json.dumps({"event_id": "order-1", "value": 49.0, "utm_campaign": "spring"})
    signature = (
        "sha256=" + hmac.new(SHOP_SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
    )
    headers = {"Content-Type": "application/json", "X-Resonanz-Signature": signature}
    first = httpx.post(server.url + "/api/conversions", content=body, headers=headers)
    assert first.status_code == 201 and first.json()["attribution"]["campaign"] == "spring"
    again = httpx.post(
        server.url + "/api/conversions",
        content=body,
        headers={"Authorization": f"Bearer {SHOP_SECRET}", "Content-Type": "application/json"},
    )
    assert again.status_code == 200 and again.json()["new"] is False
    forged = httpx.post(
        server.url + "/api/conversions",
        content=body,
        headers={"X-Resonanz-Signature": "sha256=00", "Content-Type": "application/json"},
    )
    assert forged.status_code == 401
    bad = httpx.post(
        server.url + "/api/conversions",
        content="[1]",
        headers={"Authorization": f"Bearer {SHOP_SECRET}"},
    )
    assert bad.status_code == 400


def test_short_link_redirects_and_counts_on_the_campaign_page(server: LiveServer) -> None:
    code = (server.workspace.folder / "link.code").read_text(encoding="utf-8")
    hop = httpx.get(f"{server.url}/l/{code}", headers={"User-Agent": "test"})
    assert hop.status_code == 302
    assert hop.headers["location"].startswith("https://shop.acme.example/spring?utm_")
    assert httpx.get(f"{server.url}/l/nope").status_code == 404
    client = Browserless(server, "viewer")
    try:
        page = client.client.get("/campaigns").text
    finally:
        client.close()
    assert "spring" in page and code in page
