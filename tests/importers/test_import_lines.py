"""Reading JSON Lines in blocks: the same lines, offsets and chunk positions as line by line."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from resonanz.importers import jsonl
from resonanz.importers.chunk import Position, ReadContext
from resonanz.importers.lines import Line, iter_blocks, iter_lines
from resonanz.importers.normalize import POST_FIELDS, Defaults, normalize, post_row
from resonanz.importers.values import RecordError

NOW = datetime(2026, 3, 1, tzinfo=UTC)
DEFAULTS = Defaults("import", "import:jsonl", NOW)


def _flatten(data: bytes, start: int, block: int, max_bytes: int) -> list[Line]:
    """Return the lines :func:`iter_blocks` yields, with the offsets a caller derives."""
    fh = io.BytesIO(data)
    fh.seek(start)
    lines, offset = [], start
    for parts, last in iter_blocks(fh, start, block=block, max_bytes=max_bytes):
        for part in parts:
            offset += len(part) + 1
            lines.append(Line(part, offset))
        if last is not None:
            offset = last.end
            lines.append(last)
    return lines


@pytest.mark.parametrize("seed", range(6))
def test_blocks_give_the_lines_and_offsets_of_line_by_line_reading(seed: int) -> None:
    rng = random.Random(seed)
    pieces = [b"x" * rng.choice([0, 1, 5, 30, 70]) for _ in range(60)]
    data = b"\n".join(pieces) + rng.choice([b"", b"\n", b"tail"])
    start = rng.choice([0, 0, len(pieces[0]) + 1])
    fh = io.BytesIO(data)
    fh.seek(start)
    expected = list(iter_lines(fh, start, block=16, max_bytes=40))
    assert _flatten(data, start, block=16, max_bytes=40) == expected


def _context(batch_size: int) -> ReadContext:
    return ReadContext(DEFAULTS, "import:jsonl", "f.jsonl", batch_size)


def _record(i: int) -> bytes:
    return json.dumps({"id": i, "text": f"post {i}", "created_at": "2026-03-01"}).encode()


def test_chunk_positions_point_just_past_their_last_line(tmp_path: Path) -> None:
    lines = [_record(1), b"", _record(2), b"{bad", b"  ", _record(3), _record(4), b""]
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\n".join(lines))  # ends with a newline: 7 lines
    chunks = list(jsonl.read(path, Position(), _context(2)))
    assert [c.position.line for c in chunks] == [3, 6, 7]
    ends = [sum(len(line) + 1 for line in lines[:n]) for n in (3, 6)]
    assert [c.position.offset for c in chunks[:2]] == ends
    assert chunks[-1].position.offset == path.stat().st_size == chunks[-1].done_bytes
    assert [len(c) for c in chunks] == [2, 2, 1]
    resumed = list(jsonl.read(path, chunks[0].position, _context(2)))
    assert [(c.position, len(c)) for c in resumed] == [(c.position, len(c)) for c in chunks[1:]]
    assert chunks[1].quarantined[0].location == "f.jsonl:4"


def test_the_usual_field_forms_are_read_like_the_value_rules_say() -> None:
    record = {
        "id": " 7 ",
        "text": "hi #Tag @bob https://x.example/a.",
        "created_at": "2026-03-01T10:00:00+01:00",
        "platform": "",
        "author": "@anna",
        "url": "",
        "lang": 5,
        "likes": 0,
        "reposts": "12",
        "views": 3.0,
        "has_media": "yes",
        "author_followers": "12",
        "author_is_bot": 0,
        "zeta": 1,
        "alpha": [1],
    }
    post, author = normalize(record, DEFAULTS)
    assert (post["native_id"], post["platform"], post["author"], post["url"]) == (
        "7",
        "import",
        "anna",
        None,
    )
    assert (post["lang"], post["likes"], post["reposts"], post["views"]) == ("5", 0, 12, 3)
    assert (post["hashtags"], post["mentions"], post["links"]) == (
        ["tag"],
        ["bob"],
        ["https://x.example/a"],
    )
    assert post["has_media"] is True
    assert post["created_at"] == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert post["raw"] == '{"alpha":[1],"zeta":1}'
    assert author is not None
    assert (author["followers"], author["is_bot"]) == (12, False)
    row, _ = post_row(record, DEFAULTS)
    assert dict(zip(POST_FIELDS, row, strict=True)) == post


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"likes": True}, "likes must be a whole number"),
        ({"likes": -1}, "likes must not be negative"),
        ({"id": 1.5}, "id must be a string or whole number"),
        ({"text": 5}, "text must be a string"),
        ({"url": ["x"]}, "url must be a string"),
        ({"author_followers": "many"}, "author_followers must be a whole number"),
    ],
)
def test_bad_field_forms_are_named(change: dict[str, object], reason: str) -> None:
    record: dict[str, object] = {"id": "1", "text": "x", "created_at": "2026-03-01"}
    record["author"] = "anna"
    with pytest.raises(RecordError, match=reason):
        post_row({**record, **change}, DEFAULTS)
