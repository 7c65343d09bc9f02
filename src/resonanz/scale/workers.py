"""Use more cores for enrichment and matching: a batch split across worker processes.

Enrichers and matchers are pure functions of Arrow batches, so a batch can be cut into
parts, each part handled by another process, and the parts glued back in order. The store
stays single-writer in the calling process; ``Ingestor.write`` stays synchronous and atomic.
Workers build their own enrichers from the same settings (nothing unpicklable travels),
and tables travel as Arrow IPC streams.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

import pyarrow as pa

from resonanz.config import Settings
from resonanz.errors import ResonanzError
from resonanz.ingest import Enrich, EnrichAuthors, Ingestor, Match
from resonanz.store import Store

#: Batches smaller than this are not worth a round trip to a worker.
MIN_SPLIT_ROWS = 2_000


@dataclass(frozen=True)
class Recipe:
    """How to build a workspace's enrichment step and topic matcher, in any process."""

    settings_json: str = field(default_factory=lambda: Settings().model_dump_json())
    folder: str | None = None
    topics: Mapping[str, str] = field(default_factory=dict)
    enrich: bool = True

    def build(self) -> tuple[Enrich | None, EnrichAuthors | None, Match | None]:
        """Return (enrich, author enrich, match) as :func:`resonanz.pipeline.open_ingestor` does."""
        from resonanz.enrich import build_author_enrich, build_enrich
        from resonanz.query import topic_matcher

        settings = Settings.model_validate_json(self.settings_json)
        folder = Path(self.folder) if self.folder else None
        match = topic_matcher(dict(self.topics))
        if not self.enrich:
            return None, None, match
        return build_enrich(settings, folder), build_author_enrich(settings, folder), match


def to_ipc(table: pa.Table) -> bytes:
    """Serialise a table as an Arrow IPC stream."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def from_ipc(data: bytes) -> pa.Table:
    """Read a table written by :func:`to_ipc`."""
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return reader.read_all()


def _serve(conn: Connection, recipe: Recipe) -> None:
    """Answer ("enrich" | "match", IPC bytes) requests until the pipe closes (worker side)."""
    enrich, _, match = recipe.build()
    steps = {"enrich": enrich, "match": match}
    while True:
        try:
            kind = conn.recv()
        except EOFError:
            return
        table = from_ipc(conn.recv_bytes())
        step = steps[kind]
        try:
            answer = to_ipc(step(table) if step is not None else table)
        except Exception:  # the caller re-raises it: a worker must not die silently
            conn.send(False)
            conn.send_bytes(traceback.format_exc().encode())
            continue
        conn.send(True)
        conn.send_bytes(answer)


class WorkerPool:
    """Worker processes that enrich and match parts of a batch beside the caller."""

    def __init__(self, recipe: Recipe, workers: int = 1) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of an open DuckDB
        self.recipe = recipe
        self._pipes: list[Connection] = []
        self._procs: list[Any] = []
        for _ in range(workers):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(theirs, recipe), daemon=True)
            proc.start()
            theirs.close()
            self._pipes.append(mine)
            self._procs.append(proc)

    @property
    def workers(self) -> int:
        """How many worker processes run."""
        return len(self._pipes)

    def split(self, kind: str, table: pa.Table, local: Enrich | Match) -> pa.Table:
        """Apply step ``kind`` to ``table``: parts in the workers, the last part here."""
        if table.num_rows < MIN_SPLIT_ROWS or not self._pipes:
            return local(table)
        parts = self.workers + 1
        size = -(-table.num_rows // parts)
        for i, pipe in enumerate(self._pipes):
            pipe.send(kind)
            pipe.send_bytes(to_ipc(table.slice(i * size, size)))
        mine = local(table.slice(self.workers * size))
        done = [_answer(pipe) for pipe in self._pipes]
        return pa.concat_tables([*done, mine], promote_options="permissive")

    def close(self) -> None:
        """Stop the workers."""
        for pipe in self._pipes:
            pipe.close()
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            proc.close()
        self._pipes, self._procs = [], []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class WorkerFailed(ResonanzError):
    """A worker process could not enrich or match its part of a batch."""


def _answer(pipe: Connection) -> pa.Table:
    ok = pipe.recv()
    data = pipe.recv_bytes()
    if not ok:
        raise WorkerFailed(f"an enrichment worker failed:\n{data.decode(errors='replace')}")
    return from_ipc(data)


def parallel_ingestor(store: Store, pool: WorkerPool) -> Ingestor:
    """Return an :class:`Ingestor` whose enrichment and matching use ``pool``'s workers too."""
    enrich, enrich_authors, match = pool.recipe.build()
    return Ingestor(
        store,
        enrich=_bound(pool, "enrich", enrich),
        match=_bound(pool, "match", match),
        enrich_authors=enrich_authors,
    )


def _bound(pool: WorkerPool, kind: str, step: Enrich | Match | None) -> Enrich | Match | None:
    if step is None:
        return None
    local = step

    def run(table: pa.Table) -> pa.Table:
        return pool.split(kind, table, local)

    return run
