"""Import files into a workspace: detect, read in batches, enrich and store, resume, report."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from resonanz.errors import ImportFormatError
from resonanz.importers import csv_format, jsonl, mastodon_archive, parquet_format
from resonanz.importers.chunk import Chunk, Position, ReadContext
from resonanz.importers.cursor import (
    content_path,
    cursor_key,
    fingerprint,
    make_cursor,
    resume_position,
)
from resonanz.importers.detect import FORMATS, detect_format
from resonanz.importers.normalize import Defaults
from resonanz.importers.progress import ImportProgress
from resonanz.ingest import Batch, Ingestor, IngestResult, gc_paused
from resonanz.records import utcnow
from resonanz.store import QuarantineItem

Reader = Callable[[Path, Position, ReadContext], Iterator[Chunk]]

READERS: Mapping[str, Reader] = {
    "jsonl": jsonl.read,
    "csv": csv_format.read,
    "mastodon-archive": mastodon_archive.read,
    "parquet": parquet_format.read,
}
assert set(READERS) == set(FORMATS)


@dataclass
class ImportOptions:
    """How to read the files of one import."""

    fmt: str | None = None  # None: detect per file
    mapping: Mapping[str, str] = field(default_factory=dict)  # field -> input column
    platform: str = "import"
    batch_size: int = 25_000
    from_start: bool = False  # ignore stored cursors


@dataclass
class FileReport:
    """What the import of one file did."""

    path: str
    format: str
    read: int = 0
    new: int = 0
    updated: int = 0
    quarantined: int = 0
    skipped: int = 0
    resumed_at_line: int = 0
    already_done: bool = False


@dataclass
class ImportSummary:
    """What an import of several files did, and how fast."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    retention: dict[str, int] = field(default_factory=dict)

    def total(self, name: str) -> int:
        """Sum one counter over the files."""
        return sum(int(getattr(report, name)) for report in self.files)

    @property
    def posts_per_s(self) -> float:
        """Records read per second of wall time."""
        return self.total("read") / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain data (the CLI's ``--json``)."""
        return {
            "files": len(self.files),
            "read": self.total("read"),
            "new": self.total("new"),
            "updated": self.total("updated"),
            "quarantined": self.total("quarantined"),
            "skipped": self.total("skipped"),
            "seconds": round(self.seconds, 3),
            "posts_per_s": round(self.posts_per_s, 1),
            "retention": self.retention,
            "per_file": [asdict(report) for report in self.files],
        }


BatchHook = Callable[[FileReport], None]


def import_files(
    ingestor: Ingestor,
    paths: Sequence[Path],
    options: ImportOptions,
    *,
    progress: ImportProgress | None = None,
    on_batch: BatchHook | None = None,
) -> ImportSummary:
    """Import every file in ``paths``; a file that cannot be read is quarantined, not fatal."""
    started = time.perf_counter()
    summary = ImportSummary()
    shown = progress or ImportProgress(enabled=False)
    collected_at = utcnow()
    with ingestor.store.import_memory():
        for path in paths:
            report = _import_one(ingestor, path, options, collected_at, shown, on_batch)
            summary.files.append(report)
        ingestor.store.checkpoint()  # under the import's limit, not at close under a larger one
    summary.seconds = time.perf_counter() - started
    return summary


def _import_one(
    ingestor: Ingestor,
    path: Path,
    options: ImportOptions,
    collected_at: Any,
    progress: ImportProgress,
    on_batch: BatchHook | None,
) -> FileReport:
    report = FileReport(str(path), options.fmt or "?")
    try:
        fmt = options.fmt or detect_format(path)
        report.format = fmt
        key = cursor_key(fmt, fingerprint(path))
        start, done = resume_position(ingestor.store, key, path, fmt)
        if options.from_start:
            start, done = Position(), False
        report.resumed_at_line, report.already_done = start.line, done
        if done:
            return report
        ctx = ReadContext(
            Defaults(options.platform, f"import:{fmt}", collected_at),
            key,
            path.name,
            options.batch_size,
            options.mapping,
        )
        progress.start_file(path.name, content_path(path).stat().st_size)
        with BackgroundWriter(ingestor, report, progress, on_batch) as writer:
            for chunk, batch in _batches(READERS[fmt](path, start, ctx), path, fmt, key):
                writer.submit(chunk, batch)
        _finish(ingestor, key, path, fmt)
    except (ImportFormatError, OSError) as exc:
        _quarantine_file(ingestor, path, str(exc), report)
    return report


def _batches(
    chunks: Iterator[Chunk], path: Path, fmt: str, key: str
) -> Iterator[tuple[Chunk, Batch]]:
    """Read each chunk and turn it into a batch with the cyclic garbage collector paused.

    Reading allocates a few dicts, lists and tuples per record that form no cycles; with
    the collector on, every few hundred of them set off a collection, and the older
    generations (the enrichers' models and caches) were walked again and again: a fifth
    of the floor's time. The collector resumes between chunks (:func:`gc_paused`).
    """
    while True:
        with gc_paused():
            chunk = next(chunks, None)
            if chunk is None:
                return
            cursor = make_cursor(path, fmt, chunk.position, done=False)
            batch = chunk.to_batch((key, cursor.to_json()))
        yield chunk, batch


class BackgroundWriter:
    """Store each batch on a worker thread while the next one is read and parsed.

    At most one batch is in flight, and batches are stored in order, so a stored cursor
    always covers exactly the records stored before it. DuckDB releases the GIL while it
    writes, which is what lets reading and storing overlap.
    """

    def __init__(
        self,
        ingestor: Ingestor,
        report: FileReport,
        progress: ImportProgress,
        on_batch: BatchHook | None,
    ) -> None:
        self._ingestor = ingestor
        self._report = report
        self._progress = progress
        self._on_batch = on_batch
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="resonanz-import")
        self._pending: tuple[Chunk, Future[IngestResult]] | None = None

    def submit(self, chunk: Chunk, batch: Batch) -> None:
        """Wait for the batch in flight, then start storing ``batch``.

        A worker process (see :mod:`resonanz.scale.workers`) starts enriching ``batch`` at
        once, while the batch in flight is stored.
        """
        self._ingestor.prefetch(batch)
        self.wait()
        self._pending = (chunk, self._pool.submit(self._ingestor.write, batch))

    def wait(self) -> None:
        """Wait for the batch in flight (re-raising its error) and count what it stored."""
        if self._pending is None:
            return
        chunk, future = self._pending
        self._pending = None
        result = future.result()
        report = self._report
        report.read += chunk.read
        report.skipped += chunk.skipped
        report.new += result.posts_new
        report.updated += result.posts_seen - result.posts_new
        report.quarantined += result.quarantined
        self._progress.update(chunk.done_bytes)
        if self._on_batch is not None:
            self._on_batch(report)

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self.wait()  # also after a reading error: what was read is stored and counted
        finally:
            self._pool.shutdown(wait=True)


def _finish(ingestor: Ingestor, key: str, path: Path, fmt: str) -> None:
    """Mark a file as fully imported (the last batch already committed its position)."""
    stored = ingestor.store.get_cursor(key)
    if stored is None:
        return
    state = json.loads(stored)
    state["done"] = True
    with ingestor.store.transaction():
        ingestor.store.set_cursor(key, json.dumps(state, sort_keys=True))


def _quarantine_file(ingestor: Ingestor, path: Path, reason: str, report: FileReport) -> None:
    """Record a file that could not be read at all (or stopped being readable)."""
    try:
        with content_path(path).open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        head = b""
    where = f"{path.name}:{report.read + report.resumed_at_line}" if report.read else path.name
    item = QuarantineItem(f"import:{report.format}", where, reason, head)
    result = ingestor.write(Batch(quarantined=[item]))
    report.quarantined += result.quarantined
