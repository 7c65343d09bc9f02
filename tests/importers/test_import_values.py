"""Coercion of loosely typed input values and format detection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from resonanz.errors import ImportFormatError
from resonanz.importers import detect_format
from resonanz.importers.values import (
    RecordError,
    extract_hashtags,
    extract_links,
    extract_mentions,
    int_value,
    list_value,
    timestamp_value,
)

EXPECTED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-01T09:00:00Z",
        "2026-03-01T10:00:00+01:00",
        "2026-03-01 09:00:00",
        "Sun Mar 01 09:00:00 +0000 2026",
        "Sun, 01 Mar 2026 09:00:00 GMT",
        1772355600,
        1772355600000,
        "1772355600",
        datetime(2026, 3, 1, 9, 0),
    ],
)
def test_timestamps_in_common_forms(value: object) -> None:
    assert timestamp_value(value, "created_at") == EXPECTED


@pytest.mark.parametrize("value", ["soon", "0001-01-01T00:00:00", [2026], "2026-13-45"])
def test_bad_timestamps_are_rejected(value: object) -> None:
    with pytest.raises(RecordError, match="created_at"):
        timestamp_value(value, "created_at")


def test_numbers() -> None:
    assert [int_value(v, "likes") for v in (3, 3.0, "3", " 1_000 ", "", None)] == [
        3,
        3,
        3,
        1000,
        None,
        None,
    ]
    for bad in ("3k", -1, True, 2.5, [1]):
        with pytest.raises(RecordError, match="likes"):
            int_value(bad, "likes")


def test_lists_and_extraction() -> None:
    assert list_value("#a, #b c", "hashtags", "#") == ["a", "b", "c"]
    assert list_value('["x", "y"]', "links") == ["x", "y"]
    text = (
        "Hi @anna and @bob@social.example! #Akku #akku mail me: x@y.de &#123; https://a.example/p."
    )
    assert extract_hashtags(text) == ["akku"]
    assert extract_mentions(text) == ["anna", "bob@social.example"]
    assert extract_links(text) == ["https://a.example/p"]


def test_detection(tmp_path: Path) -> None:
    cases = {
        "a.jsonl": b'{"id": 1}\n{"id": 2}\n',
        "b.txt": b"id;text;date\n1;hi;2026-01-01\n",
        "outbox.json": b'{\n  "type": "OrderedCollection",\n  "orderedItems": []\n}',
        "c.bin": b"PAR1....",
    }
    found = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found[name] = detect_format(tmp_path / name)
    assert found == {
        "a.jsonl": "jsonl",
        "b.txt": "csv",
        "outbox.json": "mastodon-archive",
        "c.bin": "parquet",
    }
    (tmp_path / "list.json").write_bytes(b"[{}]")
    with pytest.raises(ImportFormatError, match="JSON Lines"):
        detect_format(tmp_path / "list.json")
