"""Listening and publishing inside the dashboard's process (``resonanz serve --listen --publish``).

A workspace has one writing process at a time (``.resonanz.lock``), and the dashboard is
one: while it runs, ``resonanz listen`` and ``resonanz publish --loop`` cannot. So the
dashboard can run them itself, each in a thread of its own with its own cursor of the
writer connection, and one process serves, listens and publishes. Storage keeps its
guarantees: every stream batch is committed with its cursor, and the publishing queue
claims each post in a transaction before sending it, so it goes out exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from resonanz.store import Store
from resonanz.web.context import BorrowedStore
from resonanz.workspace import Workspace

if TYPE_CHECKING:
    from resonanz.sources.runner import Runner

LOG = logging.getLogger(__name__)
#: Seconds to wait before the publishing queue runs again after a failed database step
#: (e.g. a write conflict with a dashboard request on the same calendar row).
PUBLISH_RETRY_S = 5.0
#: Seconds the queue sleeps at most between two looks at what is due.
PUBLISH_POLL_S = 30.0


@dataclass(frozen=True)
class Jobs:
    """Which background jobs the dashboard runs."""

    listen: bool = False
    publish: bool = False
    #: Enrichment processes of listening (None: one for a firehose on a multi-core machine).
    workers: int | None = None

    def __bool__(self) -> bool:
        return self.listen or self.publish


class BackgroundJobs:
    """Start and stop the dashboard's background jobs over its writer store."""

    def __init__(self, workspace: Workspace, store: Store, jobs: Jobs) -> None:
        self.workspace = workspace
        self.store = store
        self.jobs = jobs
        self._halt = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listen_stop: asyncio.Event | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the configured jobs, each in a thread of its own."""
        if self.jobs.listen:
            settings = self.workspace.settings
            if settings.sources or settings.accounts:
                self._spawn("resonanz-listen", self._listen)
            else:
                LOG.warning("--listen: no [[sources]] or [[accounts]] in resonanz.toml")
        if self.jobs.publish:
            self._spawn("resonanz-publish", self._publish)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every job to stop and wait for them (a stream commits its last batch first)."""
        self._halt.set()
        loop, event = self._loop, self._listen_stop
        if loop is not None and event is not None:
            loop.call_soon_threadsafe(event.set)
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=self._guarded(target), name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _guarded(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except Exception:  # a failed job must not take the dashboard down
                LOG.exception("background job %s stopped", threading.current_thread().name)

        return run

    def _borrow(self) -> BorrowedStore:
        return BorrowedStore.of(self.store)

    def _listen(self) -> None:
        """Run every source and account, as ``resonanz listen`` does, until stopped."""
        from resonanz.sources.accounts import register_accounts
        from resonanz.sources.live_ingest import listen_ingestor
        from resonanz.sources.registry import Factory
        from resonanz.sources.runner import Runner

        settings = self.workspace.settings
        with (
            self._borrow() as store,
            listen_ingestor(self.workspace, store, self.jobs.workers) as ing,
        ):
            register_accounts(store, settings.accounts)
            planned = Factory(self.workspace.folder).plan(
                list(settings.sources), list(settings.accounts)
            )
            runner = Runner(ing, planned)
            asyncio.run(self._run_listening(runner))

    async def _run_listening(self, runner: Runner) -> None:
        self._listen_stop = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        if self._halt.is_set():  # stopped while starting up
            return
        await runner.run(self._listen_stop)

    def _publish(self) -> None:
        """Publish each scheduled post when it is due, as ``resonanz publish --loop`` does."""
        from resonanz.publish.channels import open_publishers
        from resonanz.publish.scheduler import Scheduler, run_loop

        settings = self.workspace.settings.publish
        with self._borrow() as store, open_publishers(settings, self.workspace.folder) as out:
            scheduler = Scheduler(store, out, settings)
            while not self._halt.is_set():
                try:
                    run_loop(scheduler, poll_s=PUBLISH_POLL_S, stop=self._halt.is_set)
                except duckdb.Error as exc:  # rolled back; the queue is intact: try again
                    LOG.warning("publishing paused: %s", exc)
                    self._halt.wait(PUBLISH_RETRY_S)
