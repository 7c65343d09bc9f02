"""``resonanz import --workers``: a worker process enriches the next batch while one is stored."""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.importers import FileReport, ImportOptions, import_files
from resonanz.ingest import Batch, Ingestor, IngestResult
from resonanz.pipeline import IMPORT_WORKER_BYTES, import_workers, open_ingestor, pooled_ingestor
from resonanz.scale.firehose import topic_queries, write_jsonl
from resonanz.scale.workers import WorkerFailed
from resonanz.workspace import Workspace

#: What each table holds, as one comparable row per table.
_CONTENT = {
    "posts": "SELECT count(*), sum(hash(native_id, lang, sentiment, sentiment_score, emotion, "
    "aspects::VARCHAR, intents::VARCHAR, author_key)) FROM posts",
    "matches": "SELECT count(*), sum(hash(native_id, topic)) FROM matches",
    "authors": "SELECT count(*), sum(hash(handle, stakeholder, stakeholder_evidence::VARCHAR)) "
    "FROM authors",
    "edges": "SELECT count(*), sum(hash(src_author, dst_author, kind, post_id)) FROM edges",
}


def _import(workspace: Workspace, path: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(
        main, ["import", str(path), "-w", str(workspace.folder), "--json", *args]
    )
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def _content(workspace: Workspace) -> dict[str, tuple[Any, ...]]:
    with workspace.open() as store:
        return {name: store.con.execute(sql).fetchall()[0] for name, sql in _CONTENT.items()}


def test_a_worker_stores_what_this_process_stores(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, 2_400)
    stored = {}
    for workers in ("0", "1"):
        workspace = Workspace.init(tmp_path / f"ws{workers}")
        for name, query in topic_queries(40).items():
            add = ["topics", "add", name, "--kind", "brand", "--query", query]
            result = CliRunner().invoke(main, [*add, "-w", str(workspace.folder)])
            assert result.exit_code == 0, result.output
        # six batches above the size a worker takes: each is sent ahead of its write
        summary = _import(workspace, path, "--workers", workers, "--batch-size", "400")
        assert (summary["new"], summary["quarantined"]) == (2_400, 0)
        stored[workers] = _content(workspace)
    assert stored["0"] == stored["1"]
    assert stored["1"]["matches"][0] > 0  # the topics matched, in the worker too


class _Recorder(Ingestor):
    """An ingestor that holds each write until the next batch was handed over for prefetch."""

    def __init__(self, ingestor: Ingestor) -> None:
        super().__init__(ingestor.store, ingestor.enrich, ingestor.match, ingestor.enrich_authors)
        self.prefetched: list[int] = []
        self.written: list[int] = []
        self._handed = threading.Condition()

    def prefetch(self, batch: Batch) -> None:
        with self._handed:
            self.prefetched.append(batch.posts.num_rows)
            self._handed.notify_all()

    def write(self, batch: Batch) -> IngestResult:
        position = len(self.written)
        with self._handed:  # the next batch is prefetched while this one is being stored
            last = not batch.posts.num_rows  # the file's end: its cursor alone
            assert last or self._handed.wait_for(
                lambda: len(self.prefetched) > position + 1, timeout=30
            ), "the next batch was not prefetched while this one was stored"
        self.written.append(batch.posts.num_rows)
        return super().write(batch)


def test_the_next_batch_is_prefetched_while_one_is_stored(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, 1_000)
    with workspace.open(write=True) as store:
        recorder = _Recorder(open_ingestor(workspace, store))
        summary = import_files(recorder, [path], ImportOptions(fmt="jsonl", batch_size=250))
    assert summary.total("new") == 1_000
    assert recorder.prefetched == recorder.written == [250, 250, 250, 250, 0]


def test_import_takes_a_worker_for_large_inputs_only(workspace: Workspace, tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_bytes(b"{}\n")
    with large.open("wb") as fh:
        fh.truncate(IMPORT_WORKER_BYTES)
    assert import_workers(workspace, [small], enrich=None, cpus=2) == 0
    assert import_workers(workspace, [small, large], enrich=None, cpus=2) == 1
    assert import_workers(workspace, [large], enrich=None, cpus=1) == 0
    assert import_workers(workspace, [large], enrich=False, cpus=2) == 0


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_bench_counts_the_workers_cpu_time() -> None:
    from resonanz.bench.pipeline_runs import process_cpu_s

    before = process_cpu_s(os.getpid())
    sum(i * i for i in range(3_000_000))
    assert process_cpu_s(os.getpid()) > before
    assert process_cpu_s(2**22 + 1) == 0.0  # a process that is gone counts nothing


def test_a_worker_that_dies_stops_the_import_and_the_next_one_resumes(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, 2_000)
    options = ImportOptions(fmt="jsonl", batch_size=500)
    reference = Workspace.init(tmp_path / "reference")
    with reference.open(write=True) as store:
        import_files(open_ingestor(reference, store), [path], options)
    workspace = Workspace.init(tmp_path / "ws")
    with (
        workspace.open(write=True) as store,
        pooled_ingestor(workspace, store, 1, local_share=0.0) as ingestor,
    ):
        pool = ingestor.pool  # type: ignore[attr-defined]

        def kill_the_worker(report: FileReport) -> None:
            if report.new == 500:
                for pid in pool.pids:
                    os.kill(pid, signal.SIGKILL)

        with pytest.raises(WorkerFailed, match="worker exited"):
            import_files(ingestor, [path], options, on_batch=kill_the_worker)
    with workspace.open() as store:
        stored = store.con.execute("SELECT count(*) FROM posts").fetchall()[0][0]
    assert 500 <= stored < 2_000
    with workspace.open(write=True) as store:  # again, in this process: from where it stopped
        summary = import_files(open_ingestor(workspace, store), [path], options)
    assert summary.total("new") == 2_000 - stored
    assert _content(workspace) == _content(reference)
