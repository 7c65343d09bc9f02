"""Our own accounts: posts with metrics over time, notifications, and re-authentication."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from recorded import FAST, at, fixture_json, run_until

from resonanz.localnet import mastodon as local
from resonanz.localnet.state import NetworkState
from resonanz.pipeline import open_ingestor
from resonanz.secrets import Secret
from resonanz.sources import settings as cfg
from resonanz.sources.accounts import account_rows, register_accounts
from resonanz.sources.registry import Factory
from resonanz.sources.runner import Runner
from resonanz.workspace import Workspace

GOOD, BAD = "good-token-123456", "revoked-token-654321"


def test_accounts_collect_and_a_revoked_token_stops_only_its_account(
    serve: Any,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("GOOD_TOKEN", GOOD)
    monkeypatch.setenv("BAD_TOKEN", BAD)
    me = local.account("acme@social.example", 900, followers=20000)
    ours = [local.status(7000 + i, f"Acme news {i}", at(i), me, tags=["acme"]) for i in range(3)]
    state = NetworkState(
        "mastodon",
        posts=ours,
        notifications=list(reversed(fixture_json("mastodon", "notifications.json"))),
        account=me,
        tokens={GOOD},
    )
    url = serve("mastodon", state)
    fast = {"http": FAST, "poll_seconds": 0.2, "stream": False}
    accounts = [
        cfg.AccountSettings(
            network="mastodon",
            handle="acme@social.example",
            service=url,
            brand="Acme",
            token=Secret(env="GOOD_TOKEN"),
            **fast,
        ),
        cfg.AccountSettings(
            network="mastodon",
            handle="old@social.example",
            service=url,
            brand="Acme",
            token=Secret(env="BAD_TOKEN"),
            **fast,
        ),
    ]
    sources: list[cfg.AnySource] = [
        cfg.MastodonSource(instance=url, hashtag="acme", http=FAST, poll_seconds=0.2, stream=False)
    ]
    with workspace.open(write=True) as store:
        register_accounts(store, accounts)
        runner = Runner(
            open_ingestor(workspace, store), Factory(workspace.folder).plan(sources, accounts)
        )

        def done() -> bool:
            metrics = store.con.execute(
                "SELECT count(*) FROM post_metrics WHERE native_id = '7000'"
            ).fetchone()
            return store.count("notifications") == 3 and metrics is not None and metrics[0] >= 3

        run_until(runner, done)
        status = {r["handle"]: r for r in account_rows(store)}
        kinds = dict(store.con.execute("SELECT native_id, kind FROM notifications").fetchall())
        states = {s.source: s.state for s in runner.states}
    assert status["acme@social.example"]["status"] == "ok"
    assert status["old@social.example"]["status"] == "needs_reauth"
    assert "access token" in status["old@social.example"]["status_detail"]
    assert kinds == {"34975861": "reply", "34975860": "like", "34975859": "follow"}
    assert states["mastodon:" + url.split("://")[1] + ":#acme"] == "stopped"  # kept running
    for text in (caplog.text, *(str(s) for s in status.values())):
        assert GOOD not in text and BAD not in text
