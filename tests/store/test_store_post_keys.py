"""Every writer of posts leaves each post its numeric key; a clash of keys never merges posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner
from store_history import migrate_before

from resonanz.cli import main
from resonanz.insights.keys import key_usable
from resonanz.privacy.forget import forget_author
from resonanz.query.search import search_posts
from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table
from resonanz.store import Store, open_store
from resonanz.workspace import Workspace

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def posts(*ids: str, author: str = "ann", at: datetime = T0, likes: int = 1) -> pa.Table:
    rows = [
        {
            "platform": "mastodon",
            "native_id": i,
            "author": author,
            "text": f"post {i}",
            "created_at": T0,
            "collected_at": at,
            "likes": likes,
        }
        for i in ids
    ]
    return to_table(rows, POST_SCHEMA)


def keys_ok(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether every stored post has the key of its (platform, native_id)."""
    rows = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE post_key = hash(platform, native_id)) FROM posts"
    ).fetchall()
    return bool(rows[0][0]) and rows[0][0] == rows[0][1]


def cli(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def test_upserts_and_refreshes_keep_every_key(store: Store) -> None:
    with store.transaction():
        assert store.upsert_posts(posts("1", "2")) == 2
    with store.transaction():
        # one repeated post (a newer observation) and one new one
        assert store.upsert_posts(posts("2", "3", at=T0 + timedelta(hours=1), likes=9)) == 1
    assert keys_ok(store.con)
    likes = store.con.execute("SELECT native_id, likes FROM posts ORDER BY 1").fetchall()
    assert likes == [("1", 1), ("2", 9), ("3", 9)]
    assert key_usable(store.con)


def test_posts_written_by_plain_sql_get_their_key_at_the_next_write(store: Store) -> None:
    store.con.execute(
        "INSERT INTO posts (platform, native_id, text, created_at, collected_at) "
        "VALUES ('mastodon', 'raw', 'plain', now(), now())"
    )
    assert not key_usable(store.con)  # a post without a key: the text key is used
    with store.transaction():
        assert store.upsert_posts(posts("raw", "x")) == 1
    assert keys_ok(store.con)
    assert key_usable(store.con)


def test_a_clash_of_keys_never_merges_two_posts(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(posts("1"))
    # Give the stored post the key that post "2" will have, as if hash() gave both the same.
    store.con.execute("UPDATE posts SET post_key = hash('mastodon', '2')")
    with store.transaction():
        assert store.upsert_posts(posts("2")) == 1
    with store.transaction():  # a newer observation of "2" refreshes "2" only
        assert store.upsert_posts(posts("2", at=T0 + timedelta(hours=1), likes=5)) == 0
    rows = store.con.execute("SELECT native_id, likes FROM posts ORDER BY 1").fetchall()
    assert rows == [("1", 1), ("2", 5)]
    clashes = store.con.execute("SELECT post_key FROM post_key_clashes").fetchall()
    assert clashes == store.con.execute("SELECT hash('mastodon', '2')").fetchall()
    assert not key_usable(store.con)


def test_a_listed_clash_turns_the_key_join_off(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(posts("1"))
    store.con.execute("INSERT INTO post_key_clashes VALUES (42)")
    assert not key_usable(store.con)


def test_a_changed_hash_function_gets_new_keys_when_opened(workspace: Workspace) -> None:
    with workspace.open(write=True) as store, store.transaction():
        store.upsert_posts(posts("1", "2"))
        store.insert_matches(
            pa.table({"platform": ["mastodon"], "native_id": ["1"], "topic": ["acme"]})
        )
    # What a store written by a DuckDB with another hash() looks like.
    with duckdb.connect(str(workspace.folder / "resonanz.duckdb")) as con:
        con.execute("UPDATE posts SET post_key = post_key + 1")
        con.execute("UPDATE matched_posts_hash SET key_probe = key_probe + 1")
        assert not key_usable(con)
    with workspace.open(write=True) as store:
        assert keys_ok(store.con)
        assert key_usable(store.con)
        joined = store.con.execute(
            "SELECT p.native_id, m.topic FROM posts p JOIN matches m ON m.post_key = p.post_key"
        ).fetchall()
        assert joined == [("1", "acme")]


def test_the_migration_keys_posts_stored_before_it(tmp_path: Path) -> None:
    path = tmp_path / "resonanz.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate_before(con, 81)
        con.execute(
            "INSERT INTO posts (platform, native_id, text, created_at, collected_at) "
            "SELECT 'mastodon', 'n' || i, 't', now(), now() FROM range(50) r(i)"
        )
        con.execute("INSERT INTO matches SELECT platform, native_id, 'acme' FROM posts")
    with open_store(path) as store:
        assert keys_ok(store.con)
        assert key_usable(store.con)
        rows = store.con.execute(
            "SELECT count(*) FROM matches WHERE post_key = hash(platform, native_id)"
        ).fetchall()
        assert rows == [(50,)]


def test_imports_reimports_parquet_and_forgetting_keep_every_key(
    workspace: Workspace, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {
            "id": str(i),
            "author": "bea" if i % 2 else "cy",
            "text": f"hello {i}",
            "created_at": "2026-03-01T10:00:00Z",
        }
        for i in range(6)
    ]
    source.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    folder = str(workspace.folder)
    cli("import", str(source), "--no-enrich", "-w", folder)
    cli("import", str(source), "--no-enrich", "-w", folder)  # the same posts again
    lake = tmp_path / "posts.parquet"
    cli("export", "--parquet", str(lake), "-w", folder)
    other = Workspace.init(tmp_path / "other")
    cli("import", str(lake), "--no-enrich", "-w", str(other.folder))
    for ws in (workspace, other):
        with ws.open(write=True) as store:
            assert store.count("posts") == 6
            assert keys_ok(store.con)
    with workspace.open(write=True) as store:
        platform = str(store.con.execute("SELECT any_value(platform) FROM posts").fetchall()[0][0])
        forget_author(store, b"salt", platform, "bea")
        assert store.count("posts") == 3
        assert keys_ok(store.con)
        assert key_usable(store.con)


def test_the_key_stays_out_of_exports_and_search_results(
    workspace: Workspace, tmp_path: Path
) -> None:
    with workspace.open(write=True) as store:
        with store.transaction():
            store.upsert_posts(posts("1", "2"))
        found = search_posts(store.con, "post")
    assert found.num_rows == 2
    assert "post_key" not in found.column_names
    assert "text" in found.column_names
    lake = tmp_path / "posts.parquet"
    cli("export", "--parquet", str(lake), "-w", str(workspace.folder))
    exported = pq.read_table(lake)
    assert exported.num_rows == 2
    assert "post_key" not in exported.column_names
    assert {"native_id", "text", "sentiment"} <= set(exported.column_names)


def test_posts_and_authors_keep_no_key_index(store: Store) -> None:
    # DuckDB keeps a key's index in its memory pool: with real post ids and handles it
    # filled the writer's pool after 1.2M posts or 1.7M authors. The writers keep
    # (platform, native_id) and (platform, handle) unique themselves.
    kinds = store.con.execute(
        "SELECT DISTINCT constraint_type FROM duckdb_constraints() "
        "WHERE table_name IN ('posts', 'authors') ORDER BY 1"
    ).fetchall()
    assert kinds == [("NOT NULL",)]
    assert store.con.execute("SELECT count(*) FROM duckdb_indexes()").fetchall() == [(0,)]


def test_the_index_migrations_keep_every_post_and_author_in_order(tmp_path: Path) -> None:
    path = tmp_path / "resonanz.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate_before(con, 82)
        con.execute(
            "INSERT INTO posts (platform, native_id, text, created_at, collected_at, "
            "hashtags, aspects, post_key) SELECT 'bluesky', 'n' || (99 - i), 't' || i, now(), "
            "now(), ['h'], [{'category': 'price', 'polarity': 'negative'}], "
            "hash('bluesky', 'n' || (99 - i)) FROM range(100) r(i)"
        )
        con.execute(
            "INSERT INTO authors (platform, handle, bio, updated_at, stakeholder_evidence) "
            "SELECT 'bluesky', 'a' || (9 - i), 'bio ' || i, now(), ['bio'] FROM range(10) r(i)"
        )
        posts = con.execute("SELECT * FROM posts ORDER BY rowid").fetchall()
        authors = con.execute("SELECT * FROM authors ORDER BY rowid").fetchall()
    with open_store(path) as store:
        kept = "SELECT * EXCLUDE (author_key) FROM posts ORDER BY rowid"  # 0084 adds the key
        assert store.con.execute(kept).fetchall() == posts
        assert store.con.execute("SELECT * FROM authors ORDER BY rowid").fetchall() == authors
        now = datetime.now(UTC)
        seen = {"platform": "bluesky", "native_id": "n5", "text": "t94", "created_at": now}
        assert store.upsert_posts(to_table([{**seen, "collected_at": now}], POST_SCHEMA)) == 0
        assert store.count("posts") == 100
        again = {"platform": "bluesky", "handle": "a3", "bio": "new", "updated_at": now}
        assert store.upsert_authors(to_table([again], AUTHOR_SCHEMA)) == 0
        assert store.count("authors") == 10
