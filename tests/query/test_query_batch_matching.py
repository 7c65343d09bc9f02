"""Batch-wide candidate selection and the storing of matches: same answers as one by one."""

from __future__ import annotations

import random

import pyarrow as pa
from helpers_query import posts

from resonanz.ingest import Batch, Ingestor
from resonanz.query import TopicMatcher
from resonanz.query.evaluate import Doc, predicate
from resonanz.query.parser import parse
from resonanz.store import Store

WORDS = ["acme", "acmes", "phone", "cheap", "deal", "deals", "spam", "good", "bad", "x"]
TOPICS = {
    "brand": '(acme OR "acme phone" OR #acme) -spam',
    "prefix": "acme* AND (cheap OR deal*)",
    "near": "acme NEAR/2 phone",
    "not_only": "-spam -#good",
    # more words than fit in one bit set of anchors
    "many_nots": " ".join(f"-w{i}" for i in range(70)),
}


def one_by_one(table: pa.Table) -> set[tuple[str, str]]:
    """Evaluate every topic on every post without any prefilter."""
    tests = {name: predicate(parse(query)) for name, query in TOPICS.items()}
    found = set()
    for row in table.select(["native_id", "text", "hashtags"]).to_pylist():
        doc = Doc(row["text"] or "", hashtags=row["hashtags"])
        found |= {(row["native_id"], name) for name, test in tests.items() if test(doc)}
    return found


def random_texts(count: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    for _ in range(count):
        words = rng.choices([*WORDS, "w1", "w69", "#acme", "#good"], k=rng.randint(0, 6))
        rows.append({"text": " ".join(words), "hashtags": ["good"] if rng.random() < 0.1 else []})
    return rows


def test_batch_matching_equals_evaluating_every_topic_on_every_post() -> None:
    table = posts(*random_texts(600))
    matcher = TopicMatcher(TOPICS)
    got = {(r["native_id"], r["topic"]) for r in matcher(table).to_pylist()}
    assert got == one_by_one(table)
    small = TopicMatcher(TOPICS, duckdb_fold_from=10_000)  # the Python fold path
    assert small(table).equals(matcher(table))


def test_matches_come_in_post_then_topic_order() -> None:
    table = posts("acme phone cheap", "nothing here", "spam acme")
    found = TopicMatcher(TOPICS)(table).to_pylist()
    keys = [(int(r["native_id"]), list(TOPICS).index(r["topic"])) for r in found]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def stored(store: Store) -> list[tuple[str, str]]:
    rows = store.con.execute("SELECT native_id, topic FROM matches ORDER BY ALL").fetchall()
    return [(str(a), str(b)) for a, b in rows]


def test_reimport_and_partly_new_batches_store_each_match_once(store: Store) -> None:
    ingestor = Ingestor(store, match=TopicMatcher(TOPICS))
    first = posts(*random_texts(40))
    ingestor.write(Batch(posts=first))
    once = stored(store)
    ingestor.write(Batch(posts=first))
    assert stored(store) == once
    mixed = posts(*random_texts(80, seed=4))  # ids 0..79: half stored already
    ingestor.write(Batch(posts=mixed))
    assert len(stored(store)) == len(set(stored(store)))
    assert set(stored(store)) == set(once) | one_by_one(mixed)


def test_matches_written_twice_in_one_transaction_are_stored_once(store: Store) -> None:
    table = posts("acme phone", "acme deal")
    matches = TopicMatcher(TOPICS)(table)
    with store.transaction():
        store.upsert_posts(table)
        store.insert_matches(matches)
        store.insert_matches(matches)
    assert len(stored(store)) == matches.num_rows
    with store.transaction():  # matches of posts stored in an earlier transaction
        store.upsert_posts(table)
        store.insert_matches(matches)
    assert len(stored(store)) == matches.num_rows
