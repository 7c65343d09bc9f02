"""A batch split across a worker process gives the same enrichment and matches as in-process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from resonanz.bench.pipeline_runs import recipe
from resonanz.importers.normalize import Defaults, normalize
from resonanz.ingest import Batch
from resonanz.records import POST_SCHEMA
from resonanz.scale.firehose import post_rows
from resonanz.scale.workers import (
    MIN_SPLIT_ROWS,
    WorkerPool,
    changes,
    from_ipc,
    merged,
    outgoing,
    parallel_ingestor,
    to_ipc,
)
from resonanz.store import open_store


def _posts(n: int) -> pa.Table:
    defaults = Defaults("bench", "test", datetime(2026, 3, 2, tzinfo=UTC))
    return pa.Table.from_pylist(
        [normalize(row, defaults)[0] for row in post_rows(n, topics=20)], schema=POST_SCHEMA
    )


def test_ipc_round_trip_keeps_the_table() -> None:
    table = _posts(10)
    assert from_ipc(to_ipc(table)).equals(table)


def test_worker_split_equals_in_process(tmp_path: Path) -> None:
    posts = _posts(MIN_SPLIT_ROWS + 500)
    plan = recipe(20)
    enrich, _, match = plan.build()
    assert match is not None
    want_posts = enrich(posts) if enrich else posts
    want_matches = match(want_posts).to_pylist()
    with WorkerPool(plan, workers=1) as pool:
        store = open_store(tmp_path / "w.duckdb", write=True, create=True)
        try:
            ingestor = parallel_ingestor(store, pool)
            assert ingestor.enrich is not None and ingestor.match is not None
            for share in (0.5, 0.0):  # half here and half there; all in the worker
                pool.local_share = share
                got_posts = ingestor.enrich(posts)
                assert got_posts.column_names == want_posts.column_names
                for name in want_posts.column_names:
                    got, want = got_posts.column(name), want_posts.column(name)
                    assert got.to_pylist() == want.to_pylist(), (share, name)
                assert ingestor.match(got_posts).to_pylist() == want_matches
            # Submitted ahead (as a stream does) and collected in order; a batch submitted
            # but never written is skipped without mixing up the answers.
            pool.local_share = 0.2
            stale, ahead = posts.slice(0), posts.slice(0)
            pool.submit(stale)
            ingestor.prefetch(Batch(ahead))
            got_posts = ingestor.enrich(ahead)
            assert (
                got_posts.column("sentiment").to_pylist()
                == want_posts.column("sentiment").to_pylist()
            )
            assert ingestor.match(got_posts).to_pylist() == want_matches
            result = ingestor.write(Batch(posts))
        finally:
            store.close()
    assert result.posts_new == posts.num_rows


def test_only_changed_columns_travel_back() -> None:
    posts = _posts(300)
    raw = pa.array([f'{{"event": {i}}}' for i in range(posts.num_rows)], pa.string())
    posts = posts.set_column(posts.column_names.index("raw"), "raw", raw)
    enrich, _, _ = recipe(5).build()
    assert enrich is not None
    want = enrich(posts)
    sent = outgoing(posts)
    assert "raw" not in sent.column_names
    answer = from_ipc(to_ipc(changes(sent, enrich(sent))))
    assert "text" not in answer.column_names and "sentiment" in answer.column_names
    got = merged(posts, answer)
    assert got.equals(want) and got.schema.equals(want.schema)


def test_small_batches_stay_in_process() -> None:
    calls: list[int] = []

    def local(table: pa.Table) -> pa.Table:
        calls.append(table.num_rows)
        return table

    pool = WorkerPool(recipe(5), workers=0)
    try:
        assert pool.enrich(_posts(5), local).num_rows == 5
    finally:
        pool.close()
    assert calls == [5]
