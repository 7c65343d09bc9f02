"""The synthetic firehose is deterministic, unique per post and readable by the importer."""

from __future__ import annotations

from pathlib import Path

import orjson

from resonanz.scale.firehose import jetstream_event, post_rows, write_jsonl
from resonanz.sources.bluesky import normalize_jetstream


def test_posts_are_deterministic_and_unique() -> None:
    first = list(post_rows(200, seed=3))
    assert first == list(post_rows(200, seed=3))
    assert len({row["id"] for row in first}) == 200
    assert len({row["text"] for row in first}) > 190
    assert all("marke" in row["text"].lower() for row in first)


def test_jsonl_file_has_fresh_ids_beyond_the_pool(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    write_jsonl(path, 250, start=1000, pool=100)
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert [row["id"] for row in rows] == [f"p{i}" for i in range(1000, 1250)]
    assert rows[0]["text"] == rows[100]["text"]  # the pool repeats, the ids do not


def test_jetstream_events_normalise() -> None:
    row = next(iter(post_rows(1)))
    item = normalize_jetstream(jetstream_event(row, 1_772_323_200_000_000), {})
    assert item.post is not None and item.post["text"] == row["text"]
