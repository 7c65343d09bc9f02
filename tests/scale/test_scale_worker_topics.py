"""Worker processes follow the topics added or removed while a stream runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from resonanz.ingest import Batch
from resonanz.pipeline import stored_topics
from resonanz.query.matcher import MATCH_SCHEMA
from resonanz.query.topics import add_topic, remove_topic
from resonanz.records import POST_SCHEMA, to_table
from resonanz.scale.workers import MIN_SPLIT_ROWS, Recipe, WorkerPool, parallel_ingestor
from resonanz.store import Store, open_store

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _batch(start: int) -> pa.Table:
    rows = [
        {
            "platform": "bluesky",
            "native_id": str(i),
            "author": "anna",
            "text": f"zeta kamera {i}" if i % 2 else f"acme {i}",
            "created_at": T0,
            "collected_at": T0,
        }
        for i in range(start, start + MIN_SPLIT_ROWS + 100)
    ]
    return to_table(rows, POST_SCHEMA)


def _ids(*starts: int, odd: bool) -> set[int]:
    return {i for b in starts for i in range(b, b + MIN_SPLIT_ROWS + 100) if bool(i % 2) == odd}


def _matched(store: Store, topic: str) -> set[int]:
    rows = store.con.execute("SELECT native_id FROM matches WHERE topic = ?", [topic]).fetchall()
    return {int(r[0]) for r in rows}


def test_workers_match_a_topic_added_while_they_run(tmp_path: Path) -> None:
    store = open_store(tmp_path / "w.duckdb", write=True, create=True)
    try:
        add_topic(store, "acme", kind="brand", query="acme")
        recipe = Recipe(topics=stored_topics(store), enrich=False)
        with WorkerPool(recipe, workers=1, local_share=0.0) as pool:
            ingestor = parallel_ingestor(store, pool, follow_topics=True)
            for start in (0, 1000):
                ingestor.write(Batch(_batch(start)))
                if start == 0:
                    add_topic(store, "zeta", kind="competitor", query="zeta")
            ingestor.write(Batch(_batch(2000)))  # matched by the workers with the new topics
            assert _matched(store, "zeta") == _ids(0, 1000, 2000, odd=True)
            # the worker itself knows the topic now: nothing is matched in this process here
            assert ingestor.enrich is not None
            found = pool.match(ingestor.enrich(_batch(3000)), lambda t: MATCH_SCHEMA.empty_table())
            assert "zeta" in found.column("topic").to_pylist()
            remove_topic(store, "zeta")
            ingestor.write(Batch(_batch(4000)))
            assert _matched(store, "zeta") == set()
            assert _matched(store, "acme") == _ids(0, 1000, 2000, 4000, odd=False)
    finally:
        store.close()
