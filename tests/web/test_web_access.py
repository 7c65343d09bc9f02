"""Every role against every route: the access table is what the server enforces."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from dashboard_world import Browserless, LiveServer, new_token, serve_in_thread

from resonanz.web.access import ACCESS, API_ACCESS
from resonanz.web.app import page_routes
from resonanz.web.users import ROLES
from resonanz.workspace import Workspace

#: route name → (method, path, form). Forms are harmless: they fail validation or touch
#: nothing that other rows need, so that every row can run for every role.
REQUESTS: dict[str, tuple[str, str, dict[str, str]]] = {
    "overview": ("GET", "/", {}),
    "language": ("GET", "/lang/de", {}),
    "listening": ("GET", "/listening?sentiment=negative", {}),
    "query_check": ("GET", "/listening/check?q=acme", {}),
    "mentions_export": ("GET", "/listening/export.csv?platform=bluesky", {}),
    "post_detail": ("GET", "/posts/mastodon/1", {}),
    "sentiment": ("GET", "/sentiment", {}),
    "feedback": ("GET", "/feedback", {}),
    "competitors": ("GET", "/competitors", {}),
    "trends": ("GET", "/trends", {}),
    "leaders": ("GET", "/leaders", {}),
    "cascades": ("GET", "/cascades", {}),
    "alerts": ("GET", "/alerts", {}),
    "inbox": ("GET", "/inbox", {}),
    "calendar": ("GET", "/calendar", {}),
    "campaigns": ("GET", "/campaigns", {}),
    "reports": ("GET", "/reports", {}),
    "report_download": ("GET", "/reports/download?format=html&since=2026-03-01", {}),
    "topic_save": ("POST", "/listening/topics", {"name": "Bad Name!", "kind": "keyword"}),
    "post_correct": ("POST", "/posts/mastodon/1/correct", {"field": "nothing"}),
    "corrections_export": ("GET", "/corrections.jsonl", {}),
    "inbox_action": ("POST", "/inbox/999999/note", {"text": ""}),
    "calendar_save": ("POST", "/calendar/drafts", {"text": "hello"}),
    "calendar_approve": ("POST", "/calendar/no-such-draft/approve", {}),
    "settings": ("GET", "/settings", {}),
    "settings_topic_delete": ("POST", "/settings/topics/delete", {"name": "no-such-topic"}),
    "settings_credential": ("POST", "/settings/credentials", {"name": "", "value": ""}),
    "settings_user_add": ("POST", "/settings/users", {"username": "x", "password": "short"}),
    "settings_user_remove": ("POST", "/settings/users/remove", {"username": "nobody"}),
    "settings_token_create": ("POST", "/settings/tokens", {"name": "t", "role": "king"}),
}
PUBLIC = {"login", "login_submit", "logout", "static", "health"}


@pytest.fixture(scope="module")
def server(web_world_module: Workspace) -> Iterator[LiveServer]:
    """One server for the whole table."""
    yield from serve_in_thread(web_world_module)


@pytest.fixture(scope="module")
def web_world_module(web_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A private copy of the world for this module."""
    target = tmp_path_factory.mktemp("access") / "ws"
    shutil.copytree(web_world, target)
    return Workspace.load(target)


def test_every_route_is_in_the_table() -> None:
    names = {route.name for route in page_routes()}  # type: ignore[attr-defined]
    assert names - PUBLIC == set(REQUESTS)
    assert set(ACCESS) == names | {"static"}


def _call(client: Browserless, name: str) -> httpx.Response:
    method, path, form = REQUESTS[name]
    if method == "GET":
        return client.client.get(path)
    return client.client.post(path, data={**form, "csrf": client.csrf})


@pytest.mark.parametrize("role", ROLES)
def test_role_against_every_route(server: LiveServer, role: str) -> None:
    client = Browserless(server, role)
    try:
        for name in REQUESTS:
            response = _call(client, name)
            if role in ACCESS[name]:
                assert response.status_code in (200, 303), (role, name, response.text[:300])
                assert "/login" not in response.headers.get("location", ""), (role, name)
            else:
                assert response.status_code == 403, (role, name, response.status_code)
    finally:
        client.close()


def test_anonymous_is_sent_to_login(server: LiveServer) -> None:
    client = Browserless(server, None)
    try:
        client.csrf = "none"
        for name in REQUESTS:
            response = _call(client, name)
            if REQUESTS[name][0] == "GET":
                assert response.status_code == 303, name
                assert response.headers["location"].startswith("/login?next="), name
            else:
                assert response.status_code == 401, name
    finally:
        client.close()


def test_post_without_csrf_token_is_refused(server: LiveServer) -> None:
    client = Browserless(server, "admin")
    try:
        response = client.client.post(
            "/settings/users",
            data={"username": "eve", "password": "long-enough-1", "role": "admin"},
        )
        assert response.status_code == 403
        forged = client.client.post(
            "/settings/users",
            data={"username": "eve", "csrf": "x", "password": "long-enough-1", "role": "admin"},
        )
        assert forged.status_code == 403
        users = client.client.get("/settings").text
        assert ">eve<" not in users
    finally:
        client.close()


def test_session_cookie_is_signed_httponly_and_lax(server: LiveServer) -> None:
    client = Browserless(server, None)
    try:
        page = client.client.get("/login")
        cookie = page.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        client.client.cookies.set("resonanz_session", "eyJ1aWQiOiAxfQ==.forged.sig")
        assert client.client.get("/settings").status_code == 303
    finally:
        client.close()


def test_wrong_password_is_refused(server: LiveServer) -> None:
    client = Browserless(server, None)
    try:
        assert client.login("admin", "not-the-password").status_code == 401
        assert client.client.get("/").status_code == 303
    finally:
        client.close()


@pytest.mark.parametrize("role", [*ROLES, "shop", None])
def test_api_token_roles(server: LiveServer, role: str | None) -> None:
    headers = {}
    if role is not None:
        headers["Authorization"] = f"Bearer {new_token(server, role)}"
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as api:
        for name, path in (
            ("api_stats", "/api/stats"),
            ("api_topics", "/api/topics"),
            ("api_mentions", "/api/mentions?limit=3"),
        ):
            status = api.get(path).status_code
            expected = 200 if role in API_ACCESS[name] else (401 if role is None else 403)
            assert status == expected, (role, name)
        posted = api.post("/api/conversions", json={"event_id": f"order-{role}", "value": 9.5})
        allowed = role in API_ACCESS["api_conversion"]
        assert posted.status_code == (201 if allowed else (401 if role is None else 403))
