"""Library entry points behind ``resonanz fetch`` and ``resonanz listen``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import UTC, date, datetime

import httpx

from resonanz.errors import ConfigError
from resonanz.ingest import IngestResult
from resonanz.pipeline import open_ingestor
from resonanz.sources.accounts import register_accounts
from resonanz.sources.collect import Collector
from resonanz.sources.live_ingest import listen_ingestor
from resonanz.sources.registry import Factory
from resonanz.sources.runner import Runner
from resonanz.sources.settings import AnySource
from resonanz.sources.status import SourceState
from resonanz.workspace import Workspace


def parse_since(value: str | None) -> datetime | None:
    """Parse ``--since`` (a date or an ISO 8601 time; naive means UTC)."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"--since {value!r} is not a date like 2026-01-31") from None
        when = datetime(day.year, day.month, day.day)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def fetch(
    workspace: Workspace,
    settings: AnySource,
    *,
    since: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> IngestResult:
    """Run one backfill of one source into the workspace and return what it stored."""
    connector = Factory(workspace.folder, transport).source(settings)
    with workspace.open(write=True) as store:
        collector = Collector(connector, open_ingestor(workspace, store))

        async def run() -> IngestResult:
            try:
                return await collector.catch_up(since)
            finally:
                await connector.aclose()

        return asyncio.run(run())


def listen(
    workspace: Workspace,
    *,
    since: datetime | None = None,
    max_seconds: float | None = None,
    on_change: Callable[[SourceState], None] | None = None,
    on_start: Callable[[list[SourceState]], None] | None = None,
    workers: int | None = None,
) -> list[SourceState]:
    """Run every configured source and account until SIGINT/SIGTERM (or ``max_seconds``).

    ``workers`` enrichment processes run beside this one (None: one for a firehose on a
    multi-core machine, see :func:`resonanz.sources.live_ingest.auto_workers`).
    """
    settings = workspace.settings
    if not settings.sources and not settings.accounts:
        raise ConfigError(
            'nothing to listen to: add a [[sources]] entry (type = "mastodon", hashtag = …) '
            "or an [[accounts]] entry to resonanz.toml"
        )
    with workspace.open(write=True) as store, listen_ingestor(workspace, store, workers) as ing:
        register_accounts(store, settings.accounts)
        planned = Factory(workspace.folder).plan(list(settings.sources), list(settings.accounts))
        runner = Runner(ing, planned, since=since, on_change=on_change)
        if on_start is not None:
            on_start(runner.states)
        asyncio.run(_run_until_stopped(runner, max_seconds))
        return runner.states


async def _run_until_stopped(runner: Runner, max_seconds: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Not possible outside the main thread or on Windows; Ctrl-C then ends the loop.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if max_seconds is not None:
        loop.call_later(max_seconds, stop.set)
    await runner.run(stop)
