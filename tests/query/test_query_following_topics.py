"""A long run's matcher follows the topics added while it runs (the dashboard's editor)."""

from __future__ import annotations

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


def test_the_batch_in_flight_when_a_topic_is_added_is_matched_with_the_next(
    store: Store,
) -> None:
    matcher = StoredTopicsMatcher(store)
    first = _batch(0, "Kamera von Zeta", "nichts")
    assert "zeta" not in matcher(first).column("topic").to_pylist()
    # the topic arrives before the first batch is stored: its own matching cannot see it
    add_topic(store, "zeta", kind="competitor", query="zeta")
    found = matcher(_batch(10, "Zeta ist teuer"))
    pairs = {(r["native_id"], r["topic"]) for r in found.to_pylist()}
    assert ("0", "zeta") in pairs and ("10", "zeta") in pairs
    assert ("1", "zeta") not in pairs


def test_a_removed_topic_is_no_longer_matched(workspace: Workspace, store: Store) -> None:
    add_topic(store, "zeta", kind="competitor", query="zeta")
    ingestor = open_ingestor(workspace, store, enrich=False)
    ingestor.write(Batch(posts=_batch(0, "Zeta eins")))
    remove_topic(store, "zeta")
    ingestor.write(Batch(posts=_batch(10, "Zeta zwei")))
    assert _stored(store, "zeta") == []
