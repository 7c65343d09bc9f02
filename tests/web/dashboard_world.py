"""The dashboard tests' world (a small workspace with hostile texts) and a live server."""

from __future__ import annotations

import random
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow as pa
import pytest
import uvicorn

from resonanz.ingest import Batch
from resonanz.pipeline import open_ingestor
from resonanz.records import AUTHOR_SCHEMA, EMOTIONS, ENRICHED_POST_SCHEMA, INTENTS, to_table
from resonanz.web.app import create_app
from resonanz.web.jobs import Jobs
from resonanz.web.users import ROLES, add_user
from resonanz.workspace import Workspace

PASSWORD = "correct-horse-battery"
END = datetime(2026, 3, 2, 12, tzinfo=UTC)

#: Hostile strings placed in post texts, author names and bios.
XSS = (
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=\"alert('xss-img')\">",
    "<a href=\"javascript:alert('xss-link')\">click</a>",
    "<svg onload=\"alert('xss-svg')\"><circle r=5/></svg>",
    "{{7*7}} ${7*7} {% raw %}{{ config }}{% endraw %}",
    "\"><iframe src=javascript:alert('xss-frame')></iframe>",
    "<style>body{display:none}</style><b onmouseover=alert('xss-b')>x</b>",
)

CONFIG = """
[workspace]
name = "Acme <i>listening</i>"
timezone = "Europe/Berlin"

[topics.acme]
kind = "brand"
query = 'acme OR #acme'

[topics.rival]
kind = "competitor"
query = 'rival OR #rival'

[topics.acme-phone]
kind = "product"
query = '"acme phone"'
"""

TEXTS = (
    "Die Acme Phone Akku hält kaum einen Tag, echt ärgerlich #acme",
    "Love my new Acme Phone, the camera is great! #acme",
    "Rival support answered within minutes, impressed #rival",
    "Wann kommt das Acme Update? Jemand eine Idee? @acme",
    "acme delivery took two weeks, not happy",
    "Thinking of switching from acme to rival, price is too high",
    "Rival phone battery is okay I guess #rival",
    "acme customer service was friendly and quick",
)


def _posts(
    rng: random.Random, count: int
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    authors = [
        {
            "platform": "mastodon",
            "handle": f"user{i}@social.example",
            "display_name": XSS[i % len(XSS)] + f" User {i}",
            "bio": XSS[(i + 3) % len(XSS)],
            "followers": rng.randint(5, 50_000),
            "updated_at": END,
        }
        for i in range(30)
    ]
    posts: list[dict[str, object]] = []
    for i in range(count):
        at = END - timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        text = rng.choice(TEXTS)
        if i % 5 == 0:
            text += " " + XSS[i % len(XSS)]
        reply_to = str(rng.randint(0, i - 1)) if i > 10 and rng.random() < 0.3 else None
        repost_of = str(rng.randint(0, 10)) if reply_to is None and rng.random() < 0.15 else None
        sentiment = rng.choice(("negative", "neutral", "positive"))
        posts.append(
            {
                "platform": "mastodon" if i % 4 else "bluesky",
                "native_id": str(i),
                # mastodon posts carry no URL: a reply to them needs no remote lookup
                "url": None if i % 4 else _bluesky_url(i),
                "author": authors[i % len(authors)]["handle"],
                "text": text,
                "lang": "de" if "Die" in text or "Wann" in text else "en",
                "created_at": at,
                "collected_at": END,
                "reply_to": reply_to,
                "repost_of": repost_of,
                "likes": rng.randint(0, 50),
                "reposts": rng.randint(0, 10),
                "replies": rng.randint(0, 5),
                "sentiment": sentiment,
                "sentiment_score": {"negative": -0.6, "neutral": 0.0, "positive": 0.7}[sentiment],
                "emotion": rng.choice(EMOTIONS),
                "aspects": [
                    {
                        "category": rng.choice(("battery", "price", "delivery")),
                        "polarity": sentiment,
                    }
                ],
                "intents": [rng.choice(INTENTS)] if rng.random() < 0.3 else [],
            }
        )
    return posts, authors


def _bluesky_url(i: int) -> str:
    return "javascript:alert('xss-url')" if i % 8 == 0 else f"https://bsky.example/post/{i}"


def build_world(folder: Path, count: int = 400) -> Workspace:
    """Create a workspace with ``count`` enriched posts (some hostile) and one user per role."""
    ws = Workspace.init(folder, config_text=CONFIG)
    posts, authors = _posts(random.Random(7), count)
    enriched = pa.Table.from_pylist(posts, schema=ENRICHED_POST_SCHEMA)
    with ws.open(write=True) as store:
        ingest = open_ingestor(ws, store, enrich=False)
        ingest.write(Batch(posts=enriched, authors=to_table(authors, AUTHOR_SCHEMA)))
        for role in ROLES:
            add_user(store.con, role, PASSWORD, role)
    return ws


@pytest.fixture(scope="session")
def web_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small hostile world, built once per test run (copy it before changing it)."""
    folder = tmp_path_factory.mktemp("web-world") / "ws"
    build_world(folder)
    return folder


@pytest.fixture
def web_workspace(web_world: Path, tmp_path: Path) -> Workspace:
    """A private copy of the small world."""
    target = tmp_path / "ws"
    shutil.copytree(web_world, target, ignore=shutil.ignore_patterns("*.lock", "*.wal"))
    return Workspace.load(target)


@dataclass
class LiveServer:
    """A running dashboard."""

    url: str
    workspace: Workspace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(web_workspace: Workspace) -> Iterator[LiveServer]:
    """Serve the private world with uvicorn on 127.0.0.1 (an ephemeral port)."""
    yield from serve_in_thread(web_workspace)


def serve_in_thread(workspace: Workspace, jobs: Jobs | None = None) -> Iterator[LiveServer]:
    """Run the dashboard of ``workspace`` (and its ``jobs``) in a thread until closed."""
    port = _free_port()
    app = create_app(workspace, jobs)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dashboard did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", workspace)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def add_mastodon_channel(workspace: Workspace, url: str, token: str) -> Workspace:
    """Add a ``masto`` publishing channel to ``url`` (token in a file); return the reloaded one."""
    (workspace.folder / "masto.token").write_text(token, encoding="utf-8")
    config = workspace.folder / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[publish]
backoff_s = 0.05
backoff_max_s = 0.2
max_attempts = 2
timeout_s = 5

[publish.channels.masto]
network = "mastodon"
url = "{url}"
handle = "acme"
token = {{file = "masto.token"}}
""",
        encoding="utf-8",
    )
    return Workspace.load(workspace.folder)


class Browserless:
    """A logged-in HTTP client of the live dashboard (real HTTP, cookies kept)."""

    def __init__(self, server: LiveServer, username: str | None) -> None:
        self.client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60)
        self.csrf = ""
        if username is not None:
            self.login(username)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        """Log in through the form, as a browser would."""
        page = self.client.get("/login")
        self.csrf = csrf_of(page.text)
        response = self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf": self.csrf, "next": "/"},
        )
        self.csrf = csrf_of(self.client.get("/alerts").text) if response.status_code == 303 else ""
        return response

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()


def csrf_of(html: str) -> str:
    """Return the CSRF token of a page."""
    found = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert found, "page without CSRF token"
    return found.group(1)


BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium (Debian's, never downloaded) per test module.

    Playwright's synchronous API keeps an event loop running in the main thread while it is
    open: for the whole run, it broke every later test that calls ``asyncio.run``.
    """
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make setup installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def new_token(server: LiveServer, role: str) -> str:
    """Create an API token through the settings page and return its secret."""
    admin = Browserless(server, "admin")
    try:
        page = admin.client.post(
            "/settings/tokens", data={"name": f"t-{role}", "role": role, "csrf": admin.csrf}
        )
    finally:
        admin.close()
    found = re.search(r'id="new-token".*?<code>([^<]+)</code>', page.text, re.S)
    assert found, page.text[:500]
    return found.group(1)
