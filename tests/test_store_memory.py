"""The writer's bounded DuckDB memory and the batch-local edge de-duplication."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from resonanz.bench.synthetic import posts_table
from resonanz.errors import WorkspaceError, WorkspaceLocked
from resonanz.importers import ImportOptions, import_files
from resonanz.ingest import Batch, Ingestor
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table
from resonanz.sources.live_ingest import stream_settings
from resonanz.store import Store
from resonanz.store.connection import (
    IMPORT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    WRITER_MEMORY_LIMIT,
    _connect_writer,
    _reconnect_writer,
    is_out_of_memory,
)
from resonanz.workspace import Workspace

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    return _setting(con, "memory_limit")


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    row = con.execute("SELECT current_setting(?)", [name]).fetchone()
    assert row is not None
    return str(row[0])


def _as_duckdb_shows(size: str) -> str:
    with duckdb.connect() as con:
        con.execute("SET memory_limit = ?", [size])
        return _limit(con)


def test_writer_has_the_documented_memory_limit(store: Store) -> None:
    assert _limit(store.con) == _as_duckdb_shows(WRITER_MEMORY_LIMIT)


def test_memory_limit_can_be_overridden(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    with workspace.open(write=True) as store:
        assert _limit(store.con) == _as_duckdb_shows("300MB")
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "")
    with workspace.open(write=True) as store:
        assert _limit(store.con) != _as_duckdb_shows(WRITER_MEMORY_LIMIT)


def test_invalid_memory_limit_names_the_variable_and_releases_the_lock(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "lots")
    with pytest.raises(WorkspaceError, match=MEMORY_LIMIT_ENV):
        workspace.open(write=True)
    monkeypatch.delenv(MEMORY_LIMIT_ENV)
    with workspace.open(write=True) as store:
        assert store.writable


def _post(native_id: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "platform": "mastodon",
        "native_id": native_id,
        "author": f"a{native_id}",
        "text": f"post {native_id}",
        "created_at": T0,
        "collected_at": T0,
    }
    row.update(extra)
    return row


def test_edges_of_earlier_batches_are_neither_repeated_nor_lost(store: Store) -> None:
    ingest = Ingestor(store)
    first = [_post("1"), _post("2", reply_to="1", mentions=["x"])]
    ingest.write(Batch(posts=to_table(first, POST_SCHEMA)))
    again = [_post("2", reply_to="1", mentions=["x", "y"]), _post("3", quote_of="2")]
    result = ingest.write(Batch(posts=to_table(again, POST_SCHEMA)))
    assert result.edges_new == 2
    edges = store.con.execute(
        "SELECT kind, post_id, dst_author, target_post_id FROM edges ORDER BY ALL"
    ).fetchall()
    assert edges == [
        ("mention", "2", "x", None),
        ("mention", "2", "y", None),
        ("quote", "3", "a2", "2"),
        ("reply", "2", "a1", "1"),
    ]


def test_batch_of_new_and_stored_posts_updates_only_from_newer_observations(
    store: Store,
) -> None:
    later = T0 + timedelta(hours=1)
    ingest = Ingestor(store)
    stored = [_post("1", likes=5, collected_at=later), _post("2", likes=1, text="old")]
    ingest.write(Batch(posts=to_table(stored, POST_SCHEMA)))
    mixed = [
        _post("1", likes=2, text="stale"),  # an older observation: changes nothing
        _post("2", likes=7, text="new", collected_at=later),
        _post("3", likes=4),
    ]
    result = ingest.write(Batch(posts=to_table(mixed, POST_SCHEMA)))
    assert (result.posts_new, result.posts_seen) == (1, 3)
    rows = store.con.execute("SELECT native_id, likes, text FROM posts ORDER BY 1").fetchall()
    assert rows == [("1", 5, "post 1"), ("2", 7, "new"), ("3", 4, "post 3")]
    assert store.count("post_metrics") == 5


def test_matches_stored_again_are_one_row_each(store: Store) -> None:
    matches = pa.table(
        {"platform": ["m", "m", "m"], "native_id": ["1", "1", "2"], "topic": ["a", "a", "a"]}
    )
    store.insert_matches(matches)
    store.insert_matches(matches.slice(1))
    assert store.count("matches") == 2


def test_upserts_into_a_growing_table_fit_the_import_memory_limit(store: Store) -> None:
    # INSERT … ON CONFLICT ran out of 48 MB once the table held about 150,000 posts, and
    # an edge insert joining all posts ran out of 32 MB now and then.
    store.con.execute("SET memory_limit = ?", [IMPORT_MEMORY_LIMIT])
    ingest = Ingestor(store)
    for start in range(0, 200_000, 25_000):
        ingest.write(Batch(posts=posts_table(start, 25_000), authors=_authors(start)))
    again = ingest.write(Batch(posts=posts_table(175_000, 25_000)))
    assert (again.posts_new, store.count("posts")) == (0, 200_000)


def _authors(start: int) -> pa.Table:
    handles = [f"user{i}" for i in range(start % 50_000, start % 50_000 + 1_000)]
    return pa.table(
        {"platform": ["bluesky"] * len(handles), "handle": handles, "updated_at": [T0] * 1_000},
        schema=pa.schema(
            [f for f in AUTHOR_SCHEMA if f.name in ("platform", "handle", "updated_at")]
        ),
    )


def test_imports_run_under_the_smaller_import_limit_and_restore_it(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    store.con.execute("SET threads = 3")
    vacuum = _setting(store.con, "max_vacuum_tasks")
    with store.import_memory():
        assert _limit(store.con) == _as_duckdb_shows(IMPORT_MEMORY_LIMIT)
        assert _setting(store.con, "threads") == "1"
        assert _setting(store.con, "max_vacuum_tasks") == "0"
    assert _limit(store.con) == _as_duckdb_shows(WRITER_MEMORY_LIMIT)
    assert _setting(store.con, "threads") == "3"
    assert _setting(store.con, "max_vacuum_tasks") == vacuum != "0"
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "300MB")
    with store.import_memory():
        assert _limit(store.con) == _as_duckdb_shows(WRITER_MEMORY_LIMIT)


def test_a_batch_too_large_for_the_import_limit_is_stored_under_a_larger_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    monkeypatch.setattr("resonanz.store.connection.IMPORT_MEMORY_LIMIT", "4MB")
    ingest = Ingestor(store)
    with store.import_memory():
        result = ingest.write(Batch(posts=posts_table(0, 25_000)))
        grown = _limit(store.con)
    assert (result.posts_new, store.count("posts")) == (25_000, 25_000)
    assert grown != _as_duckdb_shows("4MB")
    assert _limit(store.con) == _as_duckdb_shows(WRITER_MEMORY_LIMIT)


def test_an_import_leaves_no_log_for_the_close_to_checkpoint(store: Store, tmp_path: Path) -> None:
    # Checkpointing at close ran under the writer's larger limit: a peak above the import's.
    data = tmp_path / "posts.jsonl"
    rows = [
        {"id": str(i), "text": "hallo", "created_at": "2026-03-01T10:00:00Z"} for i in range(50)
    ]
    data.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    import_files(Ingestor(store), [data], ImportOptions())
    wal = store.path.with_name(store.path.name + ".wal")
    assert store.count("posts") == 50
    assert not wal.exists() or wal.stat().st_size == 0


def test_a_commit_out_of_memory_counts_as_out_of_memory() -> None:
    # The wording DuckDB uses when a commit cannot pin a block under the memory limit.
    failed_commit = duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: failed to pin block of size 256.0 KiB "
        "(30.4 MiB/30.5 MiB used)"
    )
    assert is_out_of_memory(failed_commit)
    assert not is_out_of_memory(duckdb.TransactionException("Failed to commit: conflict"))


def test_settings_are_restored_after_an_error_and_names_are_checked(store: Store) -> None:
    store.con.execute("SET threads = 2")
    with pytest.raises(RuntimeError), store.settings({"threads": 1}):
        raise RuntimeError("the block failed")
    assert _setting(store.con, "threads") == "2"
    with pytest.raises(ValueError, match="not a setting name"), store.settings({"threads; --": 1}):
        pass


def test_a_stream_whose_pool_fills_with_unwritten_data_checkpoints_and_goes_on(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Committed data waits in DuckDB's memory until a checkpoint; with a log threshold far
    # above the pool, commits run out of memory, and the batch is stored after a checkpoint.
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "12MB")
    with workspace.open(write=True) as store:
        store.con.execute("SET checkpoint_threshold = '1GiB'")
        ingest = Ingestor(store)
        size, batches = 10_000, 8
        for k in range(batches):
            ingest.write(Batch(posts=posts_table(k * size, size)))
        assert store.count("posts") == size * batches
        assert _limit(store.con) == _as_duckdb_shows("12MB")


def test_a_relieving_checkpoint_restores_the_default_limit_the_environment_asked_for(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "")
    with workspace.open(write=True) as store:
        before = _limit(store.con)
        store.checkpoint_with_room()
        assert _limit(store.con) == before


def test_reattaching_keeps_the_data_the_settings_and_the_default_database(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    ingest = Ingestor(store)
    with store.import_memory():
        ingest.write(Batch(posts=posts_table(0, 500)))
        assert store.grow_import_memory()  # a grown limit stays grown
        before = {name: _setting(store.con, name) for name in _KEPT_SETTINGS}
        database = store.con.execute("SELECT current_database()").fetchall()
        old = store.con
        assert store.reattach()
        assert {name: _setting(store.con, name) for name in _KEPT_SETTINGS} == before
        assert store.con.execute("SELECT current_database()").fetchall() == database
        with pytest.raises(duckdb.ConnectionException):  # a new database instance
            old.execute("SELECT 1")
        ingest.write(Batch(posts=posts_table(500, 500)))
    with stream_settings(store):
        threshold = _setting(store.con, "checkpoint_threshold")
        assert store.reattach()
        assert _setting(store.con, "checkpoint_threshold") == threshold
        ingest.write(Batch(posts=posts_table(1_000, 500)))
    assert _limit(store.con) == _as_duckdb_shows(WRITER_MEMORY_LIMIT)
    assert store.count("posts") == 1_500


_READER = (
    "import sys, time, duckdb; con = duckdb.connect(sys.argv[1], read_only=True);"
    "print('open', flush=True); time.sleep(float(sys.argv[2])); con.close()"
)


@contextmanager
def _reader(path: Path, seconds: float) -> Iterator[None]:
    """Hold ``path`` open for reading in another process for ``seconds`` (or the block)."""
    with subprocess.Popen(
        [sys.executable, "-c", _READER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    ) as reader:
        try:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
            yield
        finally:
            reader.kill()


def test_reopening_for_writing_waits_for_a_reader_that_came_in_between(
    workspace: Workspace,
) -> None:
    # Between closing the file and opening it again, another process may open it to read.
    with _reader(workspace.db_path, 1.0):
        with pytest.raises(duckdb.IOException, match="lock"):  # taken: one try would fail
            _connect_writer(workspace.db_path)
        con = _reconnect_writer(workspace.db_path)
        try:
            assert con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]
        finally:
            con.close()


def test_a_reader_that_stays_too_long_fails_the_reopening_clearly(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("resonanz.store.connection.REOPEN_WAIT_S", 0.3)
    with (
        _reader(workspace.db_path, 30.0),
        pytest.raises(WorkspaceLocked, match="could not be opened again for writing"),
    ):
        _reconnect_writer(workspace.db_path)


def test_reopening_does_not_wait_out_other_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A missing folder is no reader's lock, even where its name holds "lock": the error
    # comes at once, unchanged.
    monkeypatch.setattr("resonanz.store.connection.REOPEN_WAIT_S", 0.3)
    with pytest.raises(duckdb.IOException, match="blocked"):
        _reconnect_writer(tmp_path / "blocked" / "resonanz.duckdb")


def test_only_a_writer_using_its_connection_alone_reattaches(store: Store) -> None:
    # Another cursor's open transaction would fail the checkpoint, or lose its database.
    assert not store.reattach()
    borrowed = Store(store.cursor(), store.path, None)
    try:
        with borrowed.alone():
            assert not borrowed.reattach()
        assert borrowed.count("posts") == 0
    finally:
        borrowed.close()
    with store.import_memory():
        assert store.reattach()
    with stream_settings(store):
        assert store.reattach()
    assert not store.reattach()


def test_a_long_run_of_batches_reattaches_every_so_many_posts(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh attach checkpoints first: the log is empty after the batch that crossed the
    # count and holds the next batch's rows until the next automatic checkpoint.
    monkeypatch.setattr("resonanz.ingest.REATTACH_POSTS", 1_000)
    wal = store.path.with_name(store.path.name + ".wal")
    ingest = Ingestor(store)
    logged = []
    with store.import_memory():
        for start in range(0, 3_000, 600):
            ingest.write(Batch(posts=posts_table(start, 600)))
            logged.append(wal.exists() and wal.stat().st_size > 0)
    assert logged == [True, False, True, False, True]
    assert store.count("posts") == 3_000
    rows = store.con.execute("SELECT count(DISTINCT native_id) FROM posts").fetchall()
    assert rows == [(3_000,)]


_KEPT_SETTINGS = (
    "memory_limit",
    "threads",
    "max_vacuum_tasks",
    "checkpoint_threshold",
    "temp_directory",
)
