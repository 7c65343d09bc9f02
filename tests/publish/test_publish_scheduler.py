"""The scheduler publishes each post exactly once, even when killed at every step."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from resonanz.localnet.bluesky_write import BlueskyWriteState
from resonanz.localnet.mastodon_write import MastodonWriteState
from resonanz.publish import outbox
from resonanz.publish.scheduler import HALT_AT, HALT_FILE, STEPS, deliver
from resonanz.records import utcnow
from resonanz.workspace import Workspace

BSKY = "acme.bsky.example"


def _enqueue_thread(ws: Workspace, channel: str, network: str) -> list[str]:
    """Queue a two-part thread that is due now."""
    now = utcnow() - timedelta(seconds=1)
    with ws.open(write=True) as store, store.transaction() as con:
        first = outbox.enqueue(
            con, channel=channel, network=network, text="Neu: Acme Phone 2 (1/2)", not_before=now
        )
        second = outbox.enqueue(
            con,
            channel=channel,
            network=network,
            text="Ab heute im Laden (2/2)",
            not_before=now,
            part=1,
            after_id=first,
        )
    return [first, second]


def _publish(ws: Workspace, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "resonanz", "publish", "--once", "-w", str(ws.folder)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _crash_then_recover(ws: Workspace, step: str, tmp_path: Path) -> None:
    marker = tmp_path / "halted"
    env = {**os.environ, HALT_AT: step, HALT_FILE: str(marker)}
    log = tmp_path / "publish.log"
    proc = _publish(ws, env, log)
    deadline = time.monotonic() + 60
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), log.read_text()
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(30) == -signal.SIGKILL
    clean = {k: v for k, v in os.environ.items() if k not in (HALT_AT, HALT_FILE)}
    again = _publish(ws, clean, log)
    assert again.wait(60) == 0, log.read_text()


def _states(ws: Workspace, ids: list[str]) -> list[outbox.OutboxItem]:
    with ws.open() as store:
        return [outbox.get(store.con, i) for i in ids]


@pytest.mark.parametrize("step", STEPS)
def test_mastodon_exactly_once_when_killed(
    step: str,
    channel_ws: Workspace,
    mastodon_local: tuple[str, MastodonWriteState],
    tmp_path: Path,
) -> None:
    ids = _enqueue_thread(channel_ws, "masto", "mastodon")
    _crash_then_recover(channel_ws, step, tmp_path)
    received = mastodon_local[1].received("acme")
    assert [s["text"] for s in received] == ["Neu: Acme Phone 2 (1/2)", "Ab heute im Laden (2/2)"]
    assert received[0]["in_reply_to_id"] is None
    assert received[1]["in_reply_to_id"] == received[0]["id"]
    items = _states(channel_ws, ids)
    assert [i.state for i in items] == ["published", "published"]
    assert [i.remote_id for i in items] == [s["id"] for s in received]


@pytest.mark.parametrize("step", STEPS)
def test_bluesky_exactly_once_when_killed(
    step: str,
    channel_ws: Workspace,
    bluesky_local: tuple[str, BlueskyWriteState],
    tmp_path: Path,
) -> None:
    ids = _enqueue_thread(channel_ws, "bsky", "bluesky")
    _crash_then_recover(channel_ws, step, tmp_path)
    posts = sorted(bluesky_local[1].posts_of(BSKY), key=lambda r: r["value"]["text"])
    assert [p["value"]["text"] for p in posts] == [
        "Ab heute im Laden (2/2)",
        "Neu: Acme Phone 2 (1/2)",
    ]
    first = {"uri": posts[1]["uri"], "cid": posts[1]["cid"]}
    assert "reply" not in posts[1]["value"]
    assert posts[0]["value"]["reply"] == {"root": first, "parent": first}
    items = _states(channel_ws, ids)
    assert [i.state for i in items] == ["published", "published"]
    assert items[0].remote_id == posts[1]["uri"]


def test_self_kill_without_marker_file(
    channel_ws: Workspace, mastodon_local: tuple[str, MastodonWriteState], tmp_path: Path
) -> None:
    _enqueue_thread(channel_ws, "masto", "mastodon")
    env = {**os.environ, HALT_AT: "after_send"}
    log = tmp_path / "publish.log"
    assert _publish(channel_ws, env, log).wait(60) == -signal.SIGKILL
    assert len(mastodon_local[1].received()) == 1
    clean = {k: v for k, v in os.environ.items() if k != HALT_AT}
    assert _publish(channel_ws, clean, log).wait(60) == 0
    assert len(mastodon_local[1].received()) == 2


def test_temporary_failures_are_retried_with_backoff(
    channel_ws: Workspace, mastodon_local: tuple[str, MastodonWriteState]
) -> None:
    ids = _enqueue_thread(channel_ws, "masto", "mastodon")
    mastodon_local[1].fail_next = 2
    with channel_ws.open(write=True) as store:
        report = deliver(store, channel_ws.settings.publish, channel_ws.folder)
        assert report.retrying and not report.published
        item = outbox.get(store.con, ids[0])
        assert item.state == "scheduled" and item.attempts == 1
        assert item.next_attempt_at > utcnow()
        assert "503" in str(item.last_error)
        deadline = time.monotonic() + 10
        while len(outbox.rows(store.con, ("published",))) < 2 and time.monotonic() < deadline:
            deliver(store, channel_ws.settings.publish, channel_ws.folder)
            time.sleep(0.05)
    assert len(mastodon_local[1].received()) == 2


def test_failed_posts_are_reported_not_dropped(
    channel_ws: Workspace, mastodon_local: tuple[str, MastodonWriteState]
) -> None:
    ids = _enqueue_thread(channel_ws, "masto", "mastodon")
    mastodon_local[1].fail_next = 100
    with channel_ws.open(write=True) as store:
        for _ in range(20):
            deliver(store, channel_ws.settings.publish, channel_ws.folder)
            if outbox.get(store.con, ids[0]).state == "failed":
                break
            time.sleep(0.1)
        first, second = (outbox.get(store.con, i) for i in ids)
        assert first.state == "failed" and "gave up after 3 tries" in str(first.last_error)
        assert second.state == "failed" and "earlier part" in str(second.last_error)
        mastodon_local[1].fail_next = 0
        with store.transaction() as con:
            assert outbox.retry_failed(con, utcnow()) == 2
        report = deliver(store, channel_ws.settings.publish, channel_ws.folder)
    assert len(report.published) == 2


def test_rejected_credentials_fail_with_the_fix(
    channel_ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_MASTO_TOKEN", "wrong")
    ids = _enqueue_thread(channel_ws, "masto", "mastodon")
    with channel_ws.open(write=True) as store:
        report = deliver(store, channel_ws.settings.publish, channel_ws.folder)
        item = outbox.get(store.con, ids[0])
    assert report.failed and item.state == "failed"
    assert "[publish.channels.masto]" in str(item.last_error)
    assert "wrong" not in str(item.last_error)
