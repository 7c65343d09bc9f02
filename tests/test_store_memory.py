"""The writer's bounded DuckDB memory and the batch-local edge de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from resonanz.errors import WorkspaceError
from resonanz.ingest import Batch, Ingestor
from resonanz.records import POST_SCHEMA, to_table
from resonanz.store import Store
from resonanz.store.connection import MEMORY_LIMIT_ENV, WRITER_MEMORY_LIMIT
from resonanz.workspace import Workspace

T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT current_setting('memory_limit')").fetchone()
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
