"""The runs the pipeline benchmarks compare: bare import, VADER scoring, the full pipeline.

Every run reads the same JSON Lines posts through the product's importer
(:func:`resonanz.importers.import_files`), so the only difference between the floor and the
full pipeline is the enrichment, the author enrichment and the topic matching.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import orjson

from resonanz.config import Settings, TopicSettings
from resonanz.importers import ImportOptions, import_files
from resonanz.ingest import Ingestor
from resonanz.scale.firehose import topic_queries
from resonanz.scale.workers import Recipe, WorkerPool, parallel_ingestor
from resonanz.store import Store, open_store

TOPICS = 500


@dataclass(frozen=True)
class Timing:
    """Wall and CPU seconds of one run over ``posts`` posts."""

    posts: int
    wall_s: float
    cpu_s: float

    @property
    def per_s(self) -> float:
        """Posts per second of wall time."""
        return self.posts / self.wall_s if self.wall_s else 0.0

    @property
    def per_cpu_s(self) -> float:
        """Posts per CPU second (all threads and worker processes): the one-core rate."""
        return self.posts / self.cpu_s if self.cpu_s else 0.0


@contextmanager
def timed(posts: int, out: list[Timing], pids: Sequence[int] = ()) -> Iterator[None]:
    """Append the wall and CPU time of the block to ``out``: this process's CPU time plus
    that of the processes ``pids`` (its workers)."""
    wall, cpu = time.perf_counter(), time.process_time() + sum(map(process_cpu_s, pids))
    yield
    spent = time.process_time() + sum(map(process_cpu_s, pids)) - cpu
    out.append(Timing(posts, time.perf_counter() - wall, spent))


def process_cpu_s(pid: int) -> float:
    """Return the CPU seconds (user + system) a running process has used (Linux; else 0)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def topics(count: int = TOPICS, seed: int = 7) -> dict[str, str]:
    """Return ``count`` generated topic queries about the firehose's brands."""
    return topic_queries(count, seed=seed)


def recipe(count: int = TOPICS) -> Recipe:
    """Return the full pipeline's recipe: default settings plus ``count`` generated topics.

    A tenth of the topics are competitors, as in a real workspace, so the stakeholder
    enricher sees competitor terms too.
    """
    queries = topics(count)
    settings = Settings(
        topics={
            name: TopicSettings(kind="competitor" if i % 10 == 0 else "brand", query=query)
            for i, (name, query) in enumerate(queries.items())
        }
    )
    return Recipe(settings.model_dump_json(), None, queries)


def open_db(folder: Path) -> Store:
    """Create a fresh workspace database in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return open_store(folder / "resonanz.duckdb", write=True, create=True)


def import_file(ingestor: Ingestor, path: Path) -> int:
    """Import one JSON Lines file through ``ingestor``; return the posts read."""
    summary = import_files(ingestor, [path], ImportOptions(fmt="jsonl", platform="bench"))
    return summary.total("read")


def file_texts(path: Path) -> list[str]:
    """Return the texts of a JSON Lines file (for the VADER run)."""
    with path.open("rb") as fh:
        return [str(orjson.loads(line)["text"]) for line in fh]


def vader_scorer() -> Callable[[list[str]], None]:
    """Return a function scoring texts with VADER only (the usual baseline)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def score(texts: list[str]) -> None:
        for text in texts:
            analyzer.polarity_scores(text)

    return score


class Pipelines:
    """The stores and ingestors of the floor, the full pipeline and its worker variant."""

    def __init__(self, folder: Path, recipe: Recipe, workers: int = 0) -> None:
        self.floor_store = open_db(folder / "floor")
        self.full_store = open_db(folder / "full")
        self.floor = Ingestor(self.floor_store)
        enrich, enrich_authors, match = recipe.build()
        self.full = Ingestor(self.full_store, enrich, match, enrich_authors)
        self.pool: WorkerPool | None = None
        self.parallel: Ingestor | None = None
        self.parallel_store: Store | None = None
        if workers:
            # The importer parses the next chunk while a batch is written: leave it the core.
            self.pool = WorkerPool(recipe, workers, local_share=0.0)
            self.parallel_store = open_db(folder / "parallel")
            self.parallel = parallel_ingestor(self.parallel_store, self.pool)

    def close(self) -> None:
        """Close the stores and stop the workers."""
        if self.pool is not None:
            self.pool.close()
        for store in (self.floor_store, self.full_store, self.parallel_store):
            if store is not None:
                store.close()


def peak_rss_mb() -> float:
    """Return this process's peak resident memory so far, in MiB.

    Reads ``VmHWM`` (Linux): ``ru_maxrss`` of a process started by ``subprocess`` also
    counts its parent's memory at the fork, which would hide the child's own peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    """Return this process's resident memory now, in MiB (Linux; else the peak)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
    except OSError:
        return peak_rss_mb()
    return round(pages * resource.getpagesize() / 2**20, 1)
