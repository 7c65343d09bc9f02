"""Run sources continuously: backfill, then live (stream or poll), until stopped.

Every source runs as its own task. A rejected token stops only that source (and marks the
account ``needs_reauth``); rate limits and outages make it wait and try again, forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime

from resonanz.errors import AuthFailed, RateLimited, ResonanzError, SourceError
from resonanz.ingest import Ingestor, IngestResult
from resonanz.records import utcnow
from resonanz.sources.accounts import NEEDS_REAUTH, OK, set_account_status
from resonanz.sources.collect import Collector
from resonanz.sources.registry import Planned
from resonanz.sources.status import SourceState, add_posts, save_state
from resonanz.sources.writer import exclusive

log = logging.getLogger("resonanz.sources")

#: Waits after consecutive failures: 1 s, 2 s, 4 s … up to 5 minutes, with jitter.
RETRY_BASE_SECONDS = 1.0
RETRY_MAX_SECONDS = 300.0


class Runner:
    """Run planned connectors against one store until ``stop`` is set."""

    def __init__(
        self,
        ingestor: Ingestor,
        planned: list[Planned],
        *,
        since: datetime | None = None,
        on_change: Callable[[SourceState], None] | None = None,
        retry_base: float = RETRY_BASE_SECONDS,
    ) -> None:
        self.ingestor = ingestor
        self.planned = planned
        self.since = since
        self.on_change = on_change
        self.retry_base = retry_base
        self.states = [
            SourceState(p.connector.source_id, p.connector.platform, p.account_id) for p in planned
        ]
        #: Live streams store from background threads: one store, one writer at a time.
        self.lock = threading.RLock()

    async def run(self, stop: asyncio.Event) -> None:
        """Run every source until ``stop`` is set; close connections afterwards."""
        try:
            await asyncio.gather(
                *(self._run_one(p, s, stop) for p, s in zip(self.planned, self.states, strict=True))
            )
        finally:
            for p in self.planned:
                await p.connector.aclose()

    def _set(self, state: SourceState, name: str, detail: str | None = None) -> None:
        state.state, state.detail, state.updated_at = name, detail, utcnow()
        if name in ("live", "polling"):
            state.last_ok_at = state.updated_at
        with exclusive(self.ingestor.store, self.lock) as store:
            save_state(store, state)
        if self.on_change is not None:
            self.on_change(state)

    def _counter(self, state: SourceState) -> Callable[[IngestResult], None]:
        def count(result: IngestResult) -> None:
            state.posts_new += result.posts_new
            add_posts(self.ingestor.store, state.source, result.posts_new)
            if result.posts_new and self.on_change is not None:
                self.on_change(state)

        return count

    async def _run_one(self, planned: Planned, state: SourceState, stop: asyncio.Event) -> None:
        connector = planned.connector
        collector = Collector(
            connector, self.ingestor, on_write=self._counter(state), lock=self.lock
        )
        try:
            await self._follow(planned, collector, state, stop)
        finally:
            collector.close()

    async def _follow(
        self, planned: Planned, collector: Collector, state: SourceState, stop: asyncio.Event
    ) -> None:
        """Backfill, then stream or poll, again and again until ``stop`` is set."""
        connector = planned.connector
        failures = 0
        while not stop.is_set():
            try:
                self._set(state, "backfill")
                await _until(stop, collector.catch_up(self.since))
                self._account_ok(planned)
                failures = 0
                if connector.can_stream() and not stop.is_set():
                    self._set(state, "live")
                    await _until(stop, collector.follow())
                elif not stop.is_set():
                    self._set(state, "polling")
                    await _sleep(stop, planned.poll_seconds)
            except AuthFailed as exc:
                self._set(state, "needs_reauth", str(exc))
                if planned.account_id is not None:
                    with exclusive(self.ingestor.store, self.lock) as store:
                        set_account_status(store, planned.account_id, NEEDS_REAUTH, str(exc))
                return
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else self._backoff(failures)
                self._set(state, "waiting", str(exc))
                await _sleep(stop, wait)
            except (SourceError, ResonanzError) as exc:
                failures += 1
                self._set(state, "waiting", str(exc))
                await _sleep(stop, self._backoff(failures))
            except Exception as exc:  # a bug must not stop the other sources
                failures += 1
                log.exception("%s failed", connector.source_id)
                self._set(state, "error", f"{type(exc).__name__}: {exc}")
                await _sleep(stop, self._backoff(failures))
        self._set(state, "stopped")

    def _account_ok(self, planned: Planned) -> None:
        if planned.account_id is not None:
            with exclusive(self.ingestor.store, self.lock) as store:
                set_account_status(store, planned.account_id, OK, None)

    def _backoff(self, failures: int) -> float:
        ceiling = min(RETRY_MAX_SECONDS, self.retry_base * 2 ** max(0, failures - 1))
        return random.uniform(ceiling / 2, ceiling)


async def _until(stop: asyncio.Event, work: Awaitable[object]) -> None:
    """Await ``work`` unless ``stop`` is set first (then cancel it)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, stopper):
            if not pending.done():
                pending.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pending
    if task.done() and not task.cancelled():
        task.result()  # re-raise the connector's error


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, seconds))
