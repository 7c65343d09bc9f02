"""`resonanz fetch` and `resonanz listen` as a user runs them, `kill -9` included."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from click.testing import CliRunner
from recorded import at

from polled_sources import add_hackernews_source
from resonanz.cli import main
from resonanz.localnet import hackernews as local
from resonanz.localnet.state import NetworkState
from resonanz.workspace import Workspace


def _hits(count: int, offset: int = 0) -> list[dict[str, Any]]:
    return [
        local.hit(100 + i, "hn", at(i), title=f"acme {i}") for i in range(offset, offset + count)
    ]


def test_fetch_command(serve: Any, workspace: Workspace) -> None:
    url = serve("hackernews", NetworkState("hackernews", posts=_hits(5)))
    result = CliRunner().invoke(
        main,
        [
            "fetch",
            "hackernews",
            "--api",
            f"{url}/api/v1",
            "--query",
            "acme",
            "-w",
            str(workspace.folder),
            "--since",
            "2026-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["posts_new"] == 5


def test_fetch_without_a_target_is_a_usage_error(workspace: Workspace) -> None:
    result = CliRunner().invoke(main, ["fetch", "mastodon", "-w", str(workspace.folder)])
    assert result.exit_code == 2
    assert "--hashtag or --query" in result.output


def test_listen_survives_kill_9_without_gaps(serve: Any, workspace: Workspace) -> None:
    state = NetworkState("hackernews", posts=_hits(12), page_size=4)
    url = serve("hackernews", state)
    add_hackernews_source(workspace.folder, url)
    cmd = [sys.executable, "-m", "resonanz", "listen", "-w", str(workspace.folder)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 30
        while len(state.requests) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        for hit in _hits(5, offset=12):  # arrives while the listener is killed
            state.add_post(hit)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    # Restart; a busy machine may need more than one short run to catch up, and every
    # further run is one more restart that must not duplicate anything.
    for _ in range(3):
        done = subprocess.run(
            [*cmd, "--max-seconds", "2"], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "hackernews" in done.stdout  # status lines when not on a terminal
        with workspace.open() as store:
            got = [r[0] for r in store.con.execute("SELECT native_id FROM posts").fetchall()]
        if len(got) >= 17:
            break
    assert sorted(got, key=int) == [str(100 + i) for i in range(17)]
