"""The consumer side of the streaming benchmark: ``resonanz listen``'s live path, measured.

Runs in its own process so that its resident memory is the consumer's alone. The workspace
has one Bluesky source pointed at the replay server and 500 topics; the source, collector,
runner and ingestor are the product's own. The ingestor records every commit's time and
Jetstream cursor; the lag of every event follows from them and the replay's fixed rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import httpx
import numpy as np

from resonanz.bench.pipeline_runs import current_rss_mb, peak_rss_mb, process_cpu_s, topics
from resonanz.ingest import Batch, Ingestor, IngestResult
from resonanz.pipeline import open_ingestor, stored_topics
from resonanz.scale.workers import Recipe, WorkerPool, parallel_ingestor
from resonanz.sources.live_ingest import STREAM_LOCAL_SHARE, frozen_heap, stream_settings
from resonanz.sources.registry import Factory
from resonanz.sources.runner import Runner
from resonanz.sources.writer import exclusive
from resonanz.store import Store
from resonanz.workspace import Workspace

#: The source query: every synthetic post names a ``marke…`` brand, so all are kept.
SOURCE_QUERY = "marke*"
#: Kept up: every event committed, 99 % of them within this many seconds of being due.
KEPT_UP_P99_S = 5.0
#: Seconds between two points of the timeline (CPU per post and memory of each process).
TIMELINE_SECONDS = 30.0


@dataclass
class Probe:
    """Commit times and cursors of every batch, and memory samples."""

    rate: float
    started_us: int = 0  # when the replay's first event was due (set on connection)
    commits: list[tuple[float, int, int]] = field(default_factory=list)  # (time, cursor, posts)
    rss: list[float] = field(default_factory=list)
    worker_pids: list[int] = field(default_factory=list)
    cpu_at_start: tuple[float, float] = (0.0, 0.0)  # (consumer, workers) when the stream began
    timeline: list[dict[str, float]] = field(default_factory=list)

    def cpu_now(self) -> tuple[float, float]:
        """Return the CPU seconds used so far by this process and by the workers."""
        return time.process_time(), sum(process_cpu_s(pid) for pid in self.worker_pids)

    def committed(self) -> int:
        """Return how many events are committed so far."""
        return self.last_index(self.commits[-1][1]) + 1 if self.commits else 0

    def last_index(self, cursor_us: int) -> int:
        """Return the index of the event that was due at ``cursor_us``."""
        return round((cursor_us - self.started_us) * self.rate / 1e6)

    def lags(self) -> np.ndarray:
        """Return the lag (s) of every event: commit time minus the time it was due."""
        parts = []
        done = -1
        for when, cursor, _ in self.commits:
            last = self.last_index(cursor)
            if last <= done:
                continue
            due = self.started_us / 1e6 + np.arange(done + 1, last + 1) / self.rate
            parts.append(when - due)
            done = last
        return np.concatenate(parts) if parts else np.zeros(0)


class MeasuredIngestor(Ingestor):
    """The workspace's ingestor, noting the time and Jetstream cursor of every commit."""

    probe: Probe
    pool: WorkerPool | None = None

    def prefetch(self, batch: Batch) -> None:
        """Start the workers on ``batch`` as the product's parallel ingestor does."""
        if self.pool is not None and batch.posts.num_rows and self.enrich is not None:
            self.pool.submit(batch.posts)

    def write(self, batch: Batch) -> IngestResult:
        """Store the batch as usual, then note when its cursor was committed."""
        result = super().write(batch)
        if batch.cursor is not None:
            cursor = json.loads(batch.cursor[1]).get("time_us")
            if cursor:
                self.probe.commits.append((time.time(), int(cursor), batch.posts.num_rows))
        return result


def config_text(url: str, count: int) -> str:
    """Return a ``resonanz.toml`` with one Bluesky source on ``url`` and ``count`` topics."""
    ws = "ws" + url.removeprefix("http")
    lines = [
        "[[sources]]",
        'type = "bluesky"',
        f'service = "{url}"',
        f'jetstream = "{ws}"',
        f'query = "{SOURCE_QUERY}"',
        "",
    ]
    for name, query in topics(count).items():
        lines += [f"[topics.{name}]", f"query = {json.dumps(query, ensure_ascii=False)}", ""]
    return "\n".join(lines)


def process_rss_mb(pid: int) -> float:
    """Return the resident memory of a running process in MiB (Linux; else 0)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except (OSError, IndexError):
        return 0.0
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def duckdb_memory_mb(con: duckdb.DuckDBPyConnection) -> float:
    """Return the memory DuckDB's buffer manager holds (tables, indexes, caches), in MiB."""
    row = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()
    return round(float(row[0] or 0) / 2**20, 1) if row else 0.0


def _duckdb_mb(store: Store, lock: threading.RLock) -> float:
    with exclusive(store, lock):
        return duckdb_memory_mb(store.con)


def _sample_rss(probe: Probe, stop: threading.Event, store: Store, lock: threading.RLock) -> None:
    """Sample memory every second, and a timeline point every :data:`TIMELINE_SECONDS`.

    A timeline point holds each process's CPU microseconds per post committed since the
    previous point: growth over a long run shows there, whatever else the machine does.
    ``store``, taken in turn with the sources (``lock``), tells how much of the memory is
    DuckDB's: a cursor of its own would keep the writer from attaching the database afresh.
    """
    last: tuple[float, int, float, float] | None = None  # (time, committed, cpu consumer, workers)
    while not stop.wait(1.0):
        probe.rss.append(current_rss_mb())
        if not probe.started_us:
            continue
        now = time.time()
        if last is not None and now - last[0] < TIMELINE_SECONDS:
            continue
        cpu, committed = probe.cpu_now(), probe.committed()
        if last is not None and committed > last[1]:
            posts = committed - last[1]
            probe.timeline.append(
                {
                    "t_s": round(now - probe.started_us / 1e6, 1),
                    "committed": committed,
                    "consumer_us_per_post": round((cpu[0] - last[2]) * 1e6 / posts, 1),
                    "workers_us_per_post": round((cpu[1] - last[3]) * 1e6 / posts, 1),
                    "consumer_rss_mb": probe.rss[-1],
                    "consumer_duckdb_mb": _duckdb_mb(store, lock),
                    "workers_rss_mb": sum(process_rss_mb(pid) for pid in probe.worker_pids),
                }
            )
        last = (now, committed, *cpu)


async def _run(runner: Runner, probe: Probe, url: str, total: int, deadline: float) -> None:
    """Run the runner until the last event is committed or the deadline passes."""
    stop = asyncio.Event()

    async def watch() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            while time.time() < deadline and not probe.started_us:
                started = (await client.get(f"{url}/stats")).json().get("started")
                probe.started_us = int(started * 1e6) if started else 0
                await asyncio.sleep(0.1)
        probe.cpu_at_start = probe.cpu_now()  # start-up (models, topics) is not counted
        while time.time() < deadline:
            if probe.commits and probe.last_index(probe.commits[-1][1]) >= total - 1:
                break
            await asyncio.sleep(0.2)
        stop.set()

    await asyncio.gather(runner.run(stop), watch())


def consume(
    url: str, rate: float, duration: float, workers: int, grace: float, share: float | None
) -> dict[str, Any]:
    """Run the Bluesky live path against the replay at ``url``; return lag and memory."""
    with tempfile.TemporaryDirectory(prefix="resonanz-stream-") as tmp:
        ws = Workspace.init(Path(tmp), config_text=config_text(url, 500))
        with ws.open(write=True) as store, stream_settings(store):  # as listen does
            base = open_ingestor(ws, store)
            pool = None
            if workers:
                recipe = Recipe(ws.settings.model_dump_json(), str(ws.folder), stored_topics(store))
                pool = WorkerPool(recipe, workers, local_share=share)
                pool.wait_ready()  # measure the stream, not the workers' start-up
                base = parallel_ingestor(store, pool)
            ingestor = MeasuredIngestor(store, base.enrich, base.match, base.enrich_authors)
            ingestor.probe = probe = Probe(rate)
            ingestor.pool = pool
            runner = Runner(ingestor, Factory(ws.folder).plan(list(ws.settings.sources), []))
            stop_sampling = threading.Event()
            probe.worker_pids = pool.pids if pool is not None else []
            sampler = threading.Thread(
                target=_sample_rss, args=(probe, stop_sampling, store, runner.lock)
            )
            sampler.start()
            started = time.time()
            try:
                total = int(rate * duration)
                with frozen_heap():  # as listen_ingestor does
                    asyncio.run(_run(runner, probe, url, total, started + duration + grace))
            finally:
                stop_sampling.set()
                sampler.join()
                cpu = probe.cpu_now()
                if pool is not None:
                    pool.close()
            figures = report(probe, total, time.time() - started, workers)
            figures["cpu_s"] = {
                "consumer": round(cpu[0] - probe.cpu_at_start[0], 1),
                "workers": round(cpu[1] - probe.cpu_at_start[1], 1),
            }
            return figures


def _percentiles(lags: np.ndarray) -> dict[str, float | None]:
    if not len(lags):
        return {"p50": None, "p95": None, "p99": None, "max": None}
    values = np.percentile(lags, [50, 95, 99])
    names = ("p50", "p95", "p99")
    out: dict[str, float | None] = {
        n: round(float(v), 3) for n, v in zip(names, values, strict=True)
    }
    out["max"] = round(float(lags.max()), 3)
    return out


def report(probe: Probe, total: int, elapsed: float, workers: int) -> dict[str, Any]:
    """Summarise lags, throughput and memory."""
    lags = probe.lags()
    rss = probe.rss or [current_rss_mb()]
    quarter = max(1, len(rss) // 4)
    lag = _percentiles(lags)
    p99 = lag["p99"]
    return {
        "workers": workers,
        "events_due": total,
        "events_committed": len(lags),
        "posts_stored": sum(posts for _, _, posts in probe.commits),
        "elapsed_s": round(elapsed, 1),
        "committed_per_s": round(len(lags) / elapsed) if elapsed else 0,
        "kept_up": len(lags) >= total and p99 is not None and p99 < KEPT_UP_P99_S,
        "lag_s": lag,
        "batches": len(probe.commits),
        "rss_mb": {
            "first_quarter_median": float(np.median(rss[:quarter])),
            "last_quarter_median": float(np.median(rss[-quarter:])),
            "max": max(rss),
            "peak": peak_rss_mb(),
        },
        "timeline": probe.timeline,
    }


def main() -> None:
    """Consume one replay (prints JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="base URL of the replay server")
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--grace", type=float, default=60.0, help="seconds to catch up after")
    parser.add_argument(
        "--local-share",
        type=float,
        default=STREAM_LOCAL_SHARE,
        help="share of each batch enriched here, not in the workers (default: as listen does)",
    )
    args = parser.parse_args()
    figures = consume(
        args.url, args.rate, args.duration, args.workers, args.grace, args.local_share
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
