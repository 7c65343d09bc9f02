"""Fixtures: local Mastodon and Bluesky write servers and a workspace with channels to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette

from resonanz.localnet.bluesky_write import BlueskyWriteState
from resonanz.localnet.bluesky_write import routes as bluesky_routes
from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.localnet.mastodon_write import routes as mastodon_routes
from resonanz.localnet.server import run_in_thread
from resonanz.workspace import Workspace

MASTO_TOKEN = "masto-secret-token"
BSKY_PASSWORD = "app-pass-1234"
BSKY_HANDLE = "acme.bsky.example"


def serve(app: Starlette) -> tuple[str, Callable[[], None]]:
    """Start ``app`` on 127.0.0.1 with an ephemeral port; return (base URL, stop)."""
    return run_in_thread(app)


@pytest.fixture
def mastodon_local() -> Iterator[tuple[str, MastodonWriteState]]:
    """A local Mastodon server where token MASTO_TOKEN posts as acme."""
    state = MastodonWriteState()
    state.add_token(MASTO_TOKEN, "acme")
    url, stop = serve(Starlette(routes=mastodon_routes(state)))
    state.base_url = url
    yield url, state
    stop()


@pytest.fixture
def bluesky_local() -> Iterator[tuple[str, BlueskyWriteState]]:
    """A local PDS with our account BSKY_HANDLE."""
    state = BlueskyWriteState()
    state.add_account(BSKY_HANDLE, BSKY_PASSWORD)
    url, stop = serve(Starlette(routes=bluesky_routes(state)))
    yield url, state
    stop()


def channel_config(mastodon_url: str, bluesky_url: str, extra: str = "") -> str:
    """Return a resonanz.toml with one channel per local server."""
    return f"""
[workspace]
timezone = "Europe/Berlin"

[topics.acme]
kind = "brand"
query = '"Acme" OR #acme'

[publish]
backoff_s = 0.05
backoff_max_s = 0.2
max_attempts = 3
timeout_s = 5
link_base = "https://go.acme.example"

[publish.channels.masto]
network = "mastodon"
url = "{mastodon_url}"
handle = "acme"
token = {{env = "TEST_MASTO_TOKEN"}}

[publish.channels.bsky]
network = "bluesky"
url = "{bluesky_url}"
handle = "{BSKY_HANDLE}"
password = {{env = "TEST_BSKY_PASSWORD"}}
{extra}
"""


@pytest.fixture
def channel_ws(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mastodon_local: tuple[str, MastodonWriteState],
    bluesky_local: tuple[str, BlueskyWriteState],
) -> Workspace:
    """A workspace whose channels `masto` and `bsky` point at the local servers."""
    monkeypatch.setenv("TEST_MASTO_TOKEN", MASTO_TOKEN)
    monkeypatch.setenv("TEST_BSKY_PASSWORD", BSKY_PASSWORD)
    text = channel_config(mastodon_local[0], bluesky_local[0])
    return Workspace.init(tmp_path / "ws", config_text=text)
