"""Reddit over real HTTP: OAuth client credentials, Listing paging, rate headers, 401."""

from __future__ import annotations

from typing import Any

import pytest
from recorded import FAST, at, fixture_json

from resonanz.errors import AuthFailed
from resonanz.localnet import reddit as local
from resonanz.localnet.state import NetworkState
from resonanz.secrets import Secret
from resonanz.sources import settings as cfg
from resonanz.sources.fetch import fetch
from resonanz.workspace import Workspace


def _settings(url: str, **extra: Any) -> cfg.RedditSource:
    return cfg.RedditSource(
        api_url=url,
        auth_url=url,
        client_id=Secret(env="R_ID"),
        client_secret=Secret(env="R_SECRET"),
        http=FAST,
        **extra,
    )


def test_listing_pages_and_comments(
    serve: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("R_ID", "client")
    monkeypatch.setenv("R_SECRET", "right-secret")
    children = list(reversed(fixture_json("reddit", "listing.json")["data"]["children"]))
    children += [
        local.link(f"zz{i}", f"Akku thing {i}", "dora", at(i), subreddit="de") for i in range(8)
    ]
    state = NetworkState("reddit", posts=children, page_size=3, tokens={"right-secret"})
    url = serve("reddit", state)
    assert fetch(workspace, _settings(url, query="akku", subreddit="de")).posts_new == 10
    with workspace.open() as store:
        comment = store.con.execute(
            "SELECT reply_to, thread_root, author FROM posts WHERE native_id = 't1_lq0001'"
        ).fetchone()
        edges = store.con.execute(
            "SELECT dst_author FROM edges WHERE kind = 'reply' AND post_id = 't1_lq0001'"
        ).fetchone()
        mention = store.con.execute(
            "SELECT mentions FROM posts WHERE native_id = 't3_1gx0003'"
        ).fetchone()
    assert comment == ("t3_1gx0003", "t3_1gx0003", "ben")
    assert edges == ("anna_k",)  # the reply edge points at the author of the replied post
    assert mention == (["acme_support"],)


def test_bad_client_secret_fails_with_the_fix(
    serve: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("R_ID", "client")
    monkeypatch.setenv("R_SECRET", "wrong-secret-4711")
    url = serve("reddit", NetworkState("reddit", tokens={"right-secret"}))
    with pytest.raises(AuthFailed) as info:
        fetch(workspace, _settings(url, query="acme"))
    assert "reddit.com/prefs/apps" in str(info.value)
    assert "wrong-secret-4711" not in str(info.value)
