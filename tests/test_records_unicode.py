"""Lone surrogates from a source's JSON cannot fail a batch: they become U+FFFD."""

from __future__ import annotations

from typing import Any

from resonanz.records import AUTHOR_SCHEMA, POST_SCHEMA, to_table, utcnow
from resonanz.sources.base import dump_raw


def _post(native_id: str, text: str) -> dict[str, Any]:
    raw = {"id": native_id, "content": text}
    return {
        "platform": "mastodon",
        "native_id": native_id,
        "author": "anna@example.social",
        "text": text,
        "created_at": utcnow(),
        "mentions": [f"x{text}@example.social"],
        "raw": dump_raw(raw),
    }


def test_one_broken_post_keeps_its_batch_and_its_readable_text() -> None:
    table = to_table([_post("1", "Akku leer \ud83d"), _post("2", "alles gut")], POST_SCHEMA)
    texts = table.column("text").to_pylist()
    assert texts == ["Akku leer \ufffd", "alles gut"]
    assert table.column("mentions").to_pylist()[0] == ["xAkku leer \ufffd@example.social"]
    assert "\ufffd" in table.column("raw").to_pylist()[0]


def test_author_fields_are_scrubbed_too() -> None:
    table = to_table(
        [{"platform": "bluesky", "handle": "b.bsky.social", "bio": "\udc80"}], AUTHOR_SCHEMA
    )
    assert table.column("bio").to_pylist() == ["\ufffd"]
