"""A long run's matcher follows the topics added while it runs (the dashboard's editor)."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from helpers_query import posts

from resonanz.ingest import Batch
from resonanz.pipeline import StoredTopicsMatcher, open_ingestor
from resonanz.query.topics import add_topic, remove_topic
from resonanz.store import Store
from resonanz.workspace import Workspace


def _batch(start: int, *texts: str) -> pa.Table:
    table = posts(*({"text": t, "author": "anna"} for t in texts))
    ids = pa.array([str(start + i) for i in range(table.num_rows)])
    return table.set_column(table.column_names.index("native_id"), "native_id", ids)


def _stored(store: Store, topic: str) -> list[str]:
    rows = store.con.execute(
        "SELECT native_id FROM matches WHERE topic = ? ORDER BY native_id", [topic]
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_a_topic_added_between_batches_matches_from_the_next_batch_on(
    workspace: Workspace, store: Store
) -> None:
    ingestor = open_ingestor(workspace, store, enrich=False)
    ingestor.write(Batch(posts=_batch(0, "Kamera von Zeta", "nichts")))
    add_topic(store, "zeta", kind="competitor", query="zeta")
    ingestor.write(Batch(posts=_batch(10, "Zeta ist teuer", "Acme auch")))
    assert _stored(store, "zeta") == ["0", "10"]


def _in_flight(
    store: Store, matcher: StoredTopicsMatcher, posts: pa.Table, change: Callable[[], object]
) -> None:
    """Match ``posts``, then ``change`` the topics, then store them: a batch on its way."""
    found = matcher(posts)
    change()
    with store.transaction():
        store.upsert_posts(posts)
        store.insert_matches(found)


def test_the_batch_in_flight_when_a_topic_changes_is_put_right_with_the_next(
    store: Store,
) -> None:
    matcher = StoredTopicsMatcher(store)
    first = _batch(0, "Kamera von Zeta", "nichts")
    _in_flight(
        store, matcher, first, lambda: add_topic(store, "zeta", kind="competitor", query="zeta")
    )
    assert _stored(store, "zeta") == []  # its own matching could not see the new topic
    matcher(_batch(10, "Zeta ist teuer"))
    assert _stored(store, "zeta") == ["0"]
    second = _batch(20, "Zeta Kamera", "Zeta Uhr")
    _in_flight(
        store,
        matcher,
        second,
        lambda: add_topic(store, "zeta", kind="competitor", query="zeta AND uhr"),
    )
    matcher(_batch(30, "nichts"))
    assert _stored(store, "zeta") == ["21"]  # the changed query, on both batches
    third = _batch(40, "Zeta Uhr")
    _in_flight(store, matcher, third, lambda: remove_topic(store, "zeta"))
    matcher(_batch(50, "nichts"))
    assert _stored(store, "zeta") == []


def test_a_removed_topic_is_no_longer_matched(workspace: Workspace, store: Store) -> None:
    add_topic(store, "zeta", kind="competitor", query="zeta")
    ingestor = open_ingestor(workspace, store, enrich=False)
    ingestor.write(Batch(posts=_batch(0, "Zeta eins")))
    remove_topic(store, "zeta")
    ingestor.write(Batch(posts=_batch(10, "Zeta zwei")))
    assert _stored(store, "zeta") == []
