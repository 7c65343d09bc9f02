"""Recorded payloads and helpers shared by the connector tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from resonanz.sources.settings import HttpSettings
from resonanz.sources.writer import exclusive

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
#: Retries stay real but waits tiny, through configuration.
FAST = HttpSettings(
    backoff_seconds=0.005, max_backoff_seconds=0.02, retries=3, requests_per_minute=60_000
)
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def fixture_json(network: str, name: str) -> Any:
    """Load a recorded payload of ``network``."""
    return json.loads((FIXTURES / network / name).read_text(encoding="utf-8"))


def fixture_lines(network: str, name: str) -> list[Any]:
    """Load a JSON-lines recording."""
    text = (FIXTURES / network / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def at(minutes: int) -> datetime:
    """Return a time ``minutes`` after the tests' epoch."""
    return T0 + timedelta(minutes=minutes)


def run_until(
    runner: Any, done: Callable[[], bool], timeout: float = 20.0, settle: float = 0.0
) -> None:
    """Run a :class:`Runner` until ``done()`` holds (then ``settle`` s more), or fail.

    ``done()`` runs under the runner's store lock: live streams store from a thread.
    """

    def check() -> bool:
        with exclusive(runner.ingestor.store, runner.lock):
            return done()

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if task.done() or loop.time() > deadline:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(settle)
        stop.set()
        await task

    asyncio.run(main())
    assert done(), "the condition was not reached in time"
