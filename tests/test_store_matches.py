"""Topic matches are stored once each, without a key on the matches table."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa
import pytest

from resonanz.ingest import Batch, Ingestor
from resonanz.query import TopicMatcher
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.query.topics import add_topic
from resonanz.records import POST_SCHEMA, to_table
from resonanz.store import Store, open_store
from resonanz.store.matches import distinct_matches, distinct_rows
from resonanz.store.migrate import applied, available, migrate

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def posts(*texts: str) -> pa.Table:
    rows = [
        {
            "platform": "mastodon",
            "native_id": str(i),
            "text": t,
            "created_at": T0,
            "collected_at": T0,
        }
        for i, t in enumerate(texts)
    ]
    return to_table(rows, POST_SCHEMA)


def matches(*rows: tuple[str, str]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"platform": "mastodon", "native_id": n, "topic": t} for n, t in rows], schema=MATCH_SCHEMA
    )


def stored(store: Store) -> list[tuple[str, str]]:
    rows = store.con.execute("SELECT native_id, topic FROM matches ORDER BY ALL").fetchall()
    return [(str(a), str(b)) for a, b in rows]


def test_distinct_rows_drops_repeats_and_keeps_the_first_order() -> None:
    table = matches(("2", "a"), ("1", "b"), ("2", "a"), ("1", "a"), ("1", "b"))
    assert distinct_rows(table).to_pylist() == table.take([0, 1, 3]).to_pylist()
    unique = matches(("1", "a"), ("1", "b"))
    assert distinct_rows(unique) is unique


@pytest.mark.parametrize(
    "rows",
    [
        [("1", "a"), ("1", "b"), ("2", "a")],  # runs of one post each, as a matcher gives
        [("1", "a"), ("2", "a"), ("1", "b"), ("1", "a")],  # a post in two runs
        [("1", "a"), ("1", "a"), ("2", "b")],  # a topic twice in one run
        [("2", "b"), ("1", "a"), ("2", "b"), ("2", "c")],
        [("1", "a")],
    ],
)
def test_distinct_matches_are_the_distinct_rows_and_their_posts(
    rows: list[tuple[str, str]],
) -> None:
    table = matches(*rows)
    found, posts = distinct_matches(table)
    assert found.to_pylist() == distinct_rows(table).to_pylist()
    keys = [(r["platform"], r["native_id"]) for r in found.to_pylist()]
    assert sorted((r["platform"], r["native_id"]) for r in posts.to_pylist()) == sorted(set(keys))


def test_repeated_rows_in_one_call_and_repeated_calls_store_once(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(posts("x", "y"))
        store.insert_matches(matches(("0", "a"), ("0", "a"), ("1", "a")))
        store.insert_matches(matches(("0", "a"), ("0", "b")))
    with store.transaction():
        store.insert_matches(matches(("1", "a"), ("1", "c"), ("0", "b")))
    assert stored(store) == [("0", "a"), ("0", "b"), ("1", "a"), ("1", "c")]


def test_topic_added_later_then_reimport_keeps_one_match(store: Store) -> None:
    table = posts("acme phone", "nothing")
    Ingestor(store).write(Batch(posts=table))
    assert add_topic(store, "phones", kind="keyword", query="acme") == 1
    Ingestor(store, match=TopicMatcher({"phones": "acme"})).write(Batch(posts=table))
    assert stored(store) == [("0", "phones")]


def test_keys_are_computed_again_when_the_hash_function_changes(store: Store) -> None:
    with store.transaction():
        store.upsert_posts(posts("x"))
        store.insert_matches(matches(("0", "a")))
    store.con.execute("UPDATE matched_posts_hash SET key_probe = key_probe + 1")
    store.con.execute("UPDATE matched_posts SET post_key = post_key + 1")
    path = store.path
    store.close()
    with open_store(path) as reopened:  # the writer checks the keys when it opens the store
        with reopened.transaction():
            reopened.insert_matches(matches(("0", "a"), ("0", "b")))
        assert stored(reopened) == [("0", "a"), ("0", "b")]
        probe = reopened.con.execute(
            "SELECT key_probe = hash('resonanz', 'probe') FROM matched_posts_hash"
        )
        assert probe.fetchall() == [(True,)]


def test_migration_keeps_stored_matches_and_registers_their_posts() -> None:
    con = duckdb.connect()
    try:
        done = applied(con)
        for number, name, sql in available():
            if number < 80 and number not in done:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, T0])
        con.execute("INSERT INTO matches VALUES ('mastodon', '7', 'a'), ('mastodon', '7', 'b')")
        migrate(con)
        rows = con.execute("SELECT native_id, topic FROM matches ORDER BY ALL").fetchall()
        assert rows == [("7", "a"), ("7", "b")]
        keys = con.execute(
            "SELECT count(*) FROM matched_posts WHERE post_key = hash('mastodon', '7')"
        ).fetchall()
        assert keys == [(1,)]
    finally:
        con.close()
