"""A Jetstream batch normalised column by column stores exactly what row by row did."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
from recorded import FAST

from resonanz.ingest import Batch, Ingestor
from resonanz.records import POST_SCHEMA, to_table
from resonanz.sources import settings as cfg
from resonanz.sources.bluesky import BlueskyConnector, normalize_jetstream
from resonanz.sources.collect import PostColumns, build_batch
from resonanz.sources.http import Http
from resonanz.sources.jetstream import decode_many
from resonanz.workspace import Workspace

COLLECTED = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
POST = "app.bsky.feed.post"


def _event(i: int, record: dict[str, Any], *, operation: str = "create") -> str:
    commit: dict[str, Any] = {"operation": operation, "collection": POST, "rkey": f"k{i}"}
    if operation == "create":
        commit["record"] = {"$type": POST, "createdAt": f"2026-11-20T10:{i:02d}:00Z", **record}
    event = {"did": f"did:plc:u{i % 3}", "time_us": 1_000 + i, "kind": "commit", "commit": commit}
    return json.dumps(event, ensure_ascii=False)


def _messages() -> list[str]:
    """Events of every shape the normaliser handles, matching and not matching the query."""
    facet = {
        "index": {"byteStart": 6, "byteEnd": 11},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:x"}],
    }
    link = {"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.example/a"}
    tag = {"$type": "app.bsky.richtext.facet#tag", "tag": "Acme"}
    reply = {"root": {"uri": "at://r"}, "parent": {"uri": "at://p"}}
    quote = {"$type": "app.bsky.embed.recordWithMedia", "record": {"record": {"uri": "at://q"}}}
    return [
        _event(1, {"text": "acme @anna great", "langs": ["de"], "facets": [facet]}),
        _event(2, {"text": "acme news", "facets": [{"index": {}, "features": [link, tag]}]}),
        _event(3, {"text": "acme, answering", "reply": reply, "embed": quote, "tags": ["X"]}),
        _event(4, {"text": "nothing to see", "langs": ["en"]}),
        _event(5, {"text": "acme Grüße 😀 \n zweite Zeile", "langs": []}),
        _event(6, {}, operation="delete"),
        _event(7, {"text": "acme without a date", "createdAt": None}),
        json.dumps({"did": "did:plc:u1", "time_us": 9, "kind": "identity", "identity": {}}),
        _event(8, {"text": "acme the last one", "embed": {"$type": "app.bsky.embed.images"}}),
    ]


def _row_by_row(connector: BlueskyConnector, messages: list[str]) -> pa.Table:
    """The posts table as it was built before: one record per post, then one table."""
    kept = []
    for text, event in decode_many(list(messages)):
        try:
            post = normalize_jetstream(event, {}).post
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        assert post is not None
        kept.append({**post, "raw": text, "source": connector.source_id, "collected_at": COLLECTED})
    table = to_table(kept, POST_SCHEMA)
    matched = connector._filter(table)
    return table.filter(pa.array([n in matched for n in table["native_id"].to_pylist()]))


def _stored(folder: Path, posts: pa.Table) -> list[dict[str, Any]]:
    ws = Workspace.init(folder)
    with ws.open(write=True) as store:
        Ingestor(store).write(Batch(posts=posts))
        rows = store.con.sql("SELECT * FROM posts ORDER BY native_id").to_arrow_table()
    return [{k: v for k, v in row.items() if k != "collected_at"} for row in rows.to_pylist()]


def _connector() -> BlueskyConnector:
    settings = cfg.BlueskySource(service="http://127.0.0.1:9", query="acme", http=FAST)
    return BlueskyConnector("bsky", cast(Http, None), settings)  # no HTTP in these tests


def test_columns_store_the_same_rows_as_records(tmp_path: Path) -> None:
    connector = _connector()
    messages = _messages()
    selected = connector.select(decode_many(list(messages)))
    assert len(selected) == 1 and isinstance(selected[0], PostColumns)
    built = build_batch(connector, selected, "jetstream", collected_at=COLLECTED).batch.posts
    expected = _row_by_row(connector, messages)
    assert built.schema == POST_SCHEMA
    assert built.num_rows == 5  # 1, 2, 3, 5 and 8: the others are not posts or do not match
    assert built.to_pylist() == expected.to_pylist()
    assert _stored(tmp_path / "columns", built) == _stored(tmp_path / "records", expected)


def test_columns_before_since_are_left_out() -> None:
    connector = _connector()
    selected = connector.select(decode_many(_messages()))
    since = datetime(2026, 11, 20, 10, 3, tzinfo=UTC)
    built = build_batch(connector, selected, "jetstream", collected_at=COLLECTED, since=since)
    assert built.reached_since
    assert [r["native_id"][-2:] for r in built.batch.posts.to_pylist()] == ["k3", "k5", "k8"]
