"""Every writer of posts and edges leaves their authors' numeric keys and registers the
authors; a clash of keys turns the key off, and forgetting a person removes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner
from store_history import migrate_before

from resonanz.cli import main
from resonanz.insights.keys import author_keys_usable
from resonanz.privacy.author_export import export_author
from resonanz.privacy.forget import forget_author
from resonanz.records import EDGE_SCHEMA, POST_SCHEMA, to_table
from resonanz.store import Store, author_keys, open_store
from resonanz.workspace import Workspace

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def post(native_id: str, author: str | None, at: datetime = T0, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "mastodon",
        "native_id": native_id,
        "author": author,
        "text": f"post {native_id}",
        "created_at": T0,
        "collected_at": at,
        **extra,
    }


def edge(kind: str, src: str, dst: str | None, post_id: str, target: str | None) -> dict[str, Any]:
    return {
        "platform": "mastodon",
        "kind": kind,
        "src_author": src,
        "dst_author": dst,
        "post_id": post_id,
        "target_post_id": target,
        "created_at": T0,
    }


def keys_right(con: duckdb.DuckDBPyConnection) -> None:
    """Every key is its author's, NULL only without an author, and the register lists every
    author of a post or an edge (once each, with the key)."""
    for table, key, platform, handle in author_keys.KEYED:
        wrong = con.execute(
            f"SELECT count(*) FROM {table} "  # noqa: S608 - fixed names
            f"WHERE {key} IS DISTINCT FROM {author_keys.key_sql(platform, handle)}"
        ).fetchall()
        assert wrong == [(0,)], (table, key)
    registered = con.execute(
        "SELECT platform, handle, author_key = hash(platform, handle) FROM author_keys "
        "ORDER BY 1, 2"
    ).fetchall()
    named = con.execute(
        "SELECT platform, author, true FROM posts WHERE author IS NOT NULL "
        "UNION SELECT platform, src_author, true FROM edges "
        "UNION SELECT platform, dst_author, true FROM edges WHERE dst_author IS NOT NULL "
        "ORDER BY 1, 2"
    ).fetchall()
    assert set(named) <= set(registered)
    assert len(set(registered)) == len(registered)


def test_posts_and_edges_get_their_authors_keys(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(
            to_table([post("1", "ann"), post("2", "bo"), post("3", None)], POST_SCHEMA)
        )
        edges = [
            edge("reply", "bo", None, "2", "1"),  # the target's author fills dst
            edge("mention", "ann", "cy", "1", None),  # cy wrote nothing stored
            edge("repost", "bo", None, "2", "404"),  # unknown target: no dst
        ]
        assert store.insert_edges(to_table(edges, EDGE_SCHEMA)) == 3
    keys_right(store.con)
    handles = store.con.execute("SELECT handle FROM author_keys ORDER BY 1").fetchall()
    assert handles == [("ann",), ("bo",), ("cy",)]
    assert store.con.execute("SELECT count(*) FROM author_key_clashes").fetchall() == [(0,)]
    assert author_keys_usable(store.con)
    with store.transaction():  # seen again: nothing registered twice
        store.upsert_posts(to_table([post("1", "ann", T0 + timedelta(hours=1))], POST_SCHEMA))
    assert store.count("author_keys") == 3


def test_a_newer_observation_that_names_another_author_moves_the_key(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(to_table([post("1", "ann")], POST_SCHEMA))
    with store.transaction():
        later = post("1", "ann_renamed", T0 + timedelta(hours=1), likes=3)
        assert store.upsert_posts(to_table([later], POST_SCHEMA)) == 0
    keys_right(store.con)
    assert store.con.execute("SELECT author, likes FROM posts").fetchall() == [("ann_renamed", 3)]
    # the register may keep an author no row names any more: that costs nothing
    assert store.count("author_keys") == 2
    assert author_keys_usable(store.con)


def test_rows_written_by_plain_sql_are_keyed_in_slices_when_opened(workspace: Workspace) -> None:
    with workspace.open(write=True) as store:
        store.con.execute(
            "INSERT INTO posts (platform, native_id, author, text, created_at, collected_at) "
            "SELECT 'bluesky', 'n' || i, CASE WHEN i % 5 = 0 THEN NULL ELSE 'a' || (i % 7) END, "
            "'t', now(), now() FROM range(40) r(i)"
        )
        store.con.execute(
            "INSERT INTO edges (platform, kind, src_author, dst_author, post_id, created_at) "
            "SELECT 'bluesky', 'mention', 'a' || (i % 7), 'z' || (i % 3), 'n' || i, now() "
            "FROM range(10) r(i)"
        )
        assert not author_keys_usable(store.con)  # readers use the text key meanwhile
        author_keys.fill_missing(store.con, rows=6)  # a slice at a time
        keys_right(store.con)
        assert author_keys_usable(store.con)
        store.con.execute("UPDATE posts SET author_key = NULL WHERE native_id = 'n1'")
    with workspace.open(write=True) as store:  # opening the store keys what is left
        keys_right(store.con)
        assert author_keys_usable(store.con)


def test_the_migration_keys_the_authors_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "resonanz.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate_before(con, 84)
        con.execute(
            "INSERT INTO posts (platform, native_id, author, text, created_at, collected_at, "
            "post_key) SELECT 'mastodon', 'n' || i, 'a' || (i % 9), 't', now(), now(), "
            "hash('mastodon', 'n' || i) FROM range(60) r(i)"
        )
        con.execute(
            "INSERT INTO edges SELECT 'mastodon', 'reply', 'a1', 'a' || i, 'n' || i, NULL, now() "
            "FROM range(5) r(i)"
        )
        before = con.execute("SELECT * FROM posts ORDER BY rowid").fetchall()
    with open_store(path) as store:
        keys_right(store.con)
        assert author_keys_usable(store.con)
        kept = "SELECT * EXCLUDE (author_key) FROM posts ORDER BY rowid"
        assert store.con.execute(kept).fetchall() == before
        assert store.count("author_keys") == 9


def test_forgetting_an_author_removes_them_from_the_register(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(to_table([post("1", "Ann"), post("2", "bo")], POST_SCHEMA))
        store.insert_edges(to_table([edge("mention", "bo", "@ann", "2", None)], EDGE_SCHEMA))
    forget_author(store, b"salt", "mastodon", "ann")
    assert store.con.execute("SELECT handle FROM author_keys").fetchall() == [("bo",)]
    assert author_keys_usable(store.con)


def test_the_keys_stay_out_of_exports(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.open(write=True) as store:
        with store.transaction():
            store.upsert_posts(to_table([post("1", "ann"), post("2", "bo")], POST_SCHEMA))
            store.insert_edges(to_table([edge("reply", "bo", None, "2", "1")], EDGE_SCHEMA))
        person = export_author(store.con, b"salt", "mastodon", "bo")
    internal = author_keys.INTERNAL
    assert person["posts"] and all(not internal & row.keys() for row in person["posts"])
    rows = [r for k, v in person.items() if k.startswith("edges") for r in v]
    assert rows and all(not internal & row.keys() for row in rows)
    lake = tmp_path / "posts.parquet"
    result = CliRunner().invoke(
        main, ["export", "--parquet", str(lake), "-w", str(workspace.folder)]
    )
    assert result.exit_code == 0, result.output
    exported = pq.read_table(lake)
    assert exported.num_rows == 2 and not internal & set(exported.column_names)
    assert isinstance(exported, pa.Table)


def test_keys_of_another_hash_function_are_recomputed_when_opened(workspace: Workspace) -> None:
    with workspace.open(write=True) as store, store.transaction():
        store.upsert_posts(to_table([post("1", "ann"), post("2", "bo")], POST_SCHEMA))
        store.insert_edges(to_table([edge("reply", "bo", None, "2", "1")], EDGE_SCHEMA))
    # What a store written by a DuckDB with another hash() looks like, caught in the middle
    # of recomputing its keys: the probe is gone, some keys are new and some old.
    with duckdb.connect(str(workspace.folder / "resonanz.duckdb")) as con:
        con.execute("UPDATE posts SET author_key = author_key + 1 WHERE native_id = '1'")
        con.execute("UPDATE edges SET src_key = src_key + 1, dst_key = dst_key + 1")
        con.execute("UPDATE author_keys SET author_key = author_key + 1")
        con.execute("DELETE FROM matched_posts_hash")
        assert not author_keys_usable(con)
    with workspace.open(write=True) as store:
        keys_right(store.con)
        assert author_keys_usable(store.con)
        assert store.count("author_keys") == 2
