"""A Jetstream firehose through `resonanz listen` with an enrichment worker, `kill -9` included."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from resonanz.localnet.replay import Replay, serve
from resonanz.sources.live_ingest import auto_workers
from resonanz.workspace import Workspace

RATE, SECONDS = 2_000, 4.0  # 0.5-second batches of ~1,000 events: large enough for the worker


@pytest.fixture
def replay() -> Iterator[tuple[Replay, str]]:
    """A Jetstream replay of 8,000 post events, served on an ephemeral port."""
    schedule = Replay(rate=RATE, duration=SECONDS)
    url, stop = serve(schedule)
    yield schedule, url
    stop()


def _configure(workspace: Workspace, url: str) -> None:
    config = workspace.folder / "resonanz.toml"
    ws_url = "ws" + url.removeprefix("http")
    config.write_text(
        config.read_text(encoding="utf-8")
        + f'\n[[sources]]\ntype = "bluesky"\nservice = "{url}"\njetstream = "{ws_url}"\n'
        'query = "marke*"\nhttp = {backoff_seconds = 0.01, requests_per_minute = 60000}\n',
        encoding="utf-8",
    )


def _new_posts(line: str) -> int:
    """Read the count from a status line like ``bluesky:…: live, 1200 new``."""
    head = line.rsplit(" new", 1)[0]
    return int(head.rsplit(", ", 1)[1]) if ", " in head and head[-1:].isdigit() else 0


class Listener:
    """A ``resonanz listen`` process whose status lines are read as they come."""

    def __init__(self, cmd: list[str]) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, count: int, timeout: float) -> None:
        """Wait until a status line reports ``count`` new posts (or the time is up)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                if _new_posts(self.lines.get(timeout=left)) >= count:
                    return
            except queue.Empty:
                return

    def end(self, sig: int) -> None:
        """Send ``sig``, wait for the process, and close its pipe."""
        self.proc.send_signal(sig)
        try:
            self.proc.wait(30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
            self.reader.join(10)
            assert self.proc.stdout is not None
            self.proc.stdout.close()


def _stored(workspace: Workspace) -> list[str]:
    with workspace.open() as store:
        rows = store.con.execute("SELECT native_id FROM posts").fetchall()
    return [str(r[0]) for r in rows]


def test_listen_with_a_worker_survives_kill_9(
    replay: tuple[Replay, str], workspace: Workspace
) -> None:
    schedule, url = replay
    _configure(workspace, url)
    assert auto_workers(Workspace.load(workspace.folder).settings, cpus=2) == 1  # firehose
    cmd = [sys.executable, "-m", "resonanz", "listen", "-w", str(workspace.folder)]
    listener = Listener([*cmd, "--workers", "1"])
    try:
        listener.wait_for(1, timeout=60)  # the first batch is committed
    finally:
        listener.end(signal.SIGKILL)
    before = len(_stored(workspace))
    assert 0 < before < schedule.total  # killed in the middle of the stream
    listener = Listener([*cmd, "--workers", "1"])
    try:
        listener.wait_for(schedule.total - before, timeout=60)
    finally:
        listener.end(signal.SIGTERM)
    got = _stored(workspace)
    assert len(got) == len(set(got)) == schedule.total  # nothing lost, nothing twice
    assert {g.rsplit("/", 1)[1] for g in got} == {f"e{i}" for i in range(schedule.total)}
