"""Import chunks: author profiles already stored by the run are not stored again."""

from __future__ import annotations

from datetime import UTC, datetime

from resonanz.importers.chunk import MAX_REMEMBERED_AUTHORS, Position, ReadContext
from resonanz.importers.normalize import Defaults

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _context() -> ReadContext:
    return ReadContext(Defaults("import", "import:jsonl", NOW), "import:jsonl", "f.jsonl")


def _record(i: int, name: str = "") -> dict[str, object]:
    return {
        "id": str(i),
        "text": "hallo",
        "created_at": "2026-03-01T10:00:00Z",
        "author": f"user{i}",
        "author_name": name or f"User {i}",
    }


def _authors_sent(ctx: ReadContext, records: list[dict[str, object]]) -> list[str]:
    chunk = ctx.chunk(Position())
    for i, record in enumerate(records):
        chunk.add(record, f"f.jsonl:{i}")
    return [str(h) for h in chunk.to_batch(None).authors.column("handle").to_pylist()]


def test_unchanged_profiles_are_sent_once_and_changed_ones_again() -> None:
    ctx = _context()
    assert _authors_sent(ctx, [_record(1), _record(2)]) == ["user1", "user2"]
    assert _authors_sent(ctx, [_record(1), _record(2, "Renamed")]) == ["user2"]


def test_remembered_profiles_are_bounded_and_recent_ones_kept() -> None:
    ctx = _context()
    _authors_sent(ctx, [_record(0)])
    many = [_record(i) for i in range(1, MAX_REMEMBERED_AUTHORS + 1)]
    _authors_sent(ctx, [*many, _record(0)])  # user0 seen again last: the most recent
    assert len(ctx.sent_authors) == MAX_REMEMBERED_AUTHORS
    assert _authors_sent(ctx, [_record(0)]) == []
    assert _authors_sent(ctx, [_record(1)]) == ["user1"]  # the least recently seen went first
