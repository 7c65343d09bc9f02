"""Import chunks: author profiles already stored by the run are not stored again."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from resonanz.importers.chunk import SENT_AUTHOR_SLOTS, Position, ReadContext, SentAuthors
from resonanz.importers.normalize import Defaults

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _context(slots: int = SENT_AUTHOR_SLOTS) -> ReadContext:
    defaults = Defaults("import", "import:jsonl", NOW)
    return ReadContext(defaults, "import:jsonl", "f.jsonl", sent_authors=SentAuthors(slots))


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


def test_the_register_stays_its_size_and_loses_no_profile_to_a_collision() -> None:
    ctx = _context(slots=8)
    many = [_record(i) for i in range(200)]
    assert len(_authors_sent(ctx, many)) == 200
    assert len(ctx.sent_authors) <= 8
    resent = _authors_sent(ctx, many)  # most slots now hold someone else: sent again
    assert len(resent) >= 200 - 8
    renamed = [_record(i, "Renamed") for i in range(200)]
    assert len(_authors_sent(ctx, renamed)) == 200  # every change arrives


def test_the_register_needs_a_power_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        SentAuthors(12)


_SENT_AGAIN = """
from resonanz.importers.chunk import SentAuthors
sent = SentAuthors(8)
for i in range(40):
    sent.changed(("import", f"user{i}"), ("x",))
print([i for i in range(40) if sent.changed(("import", f"user{i}"), ("x",))])
"""


def test_which_profiles_are_sent_again_does_not_depend_on_the_hash_seed() -> None:
    # Which authors share a slot decides which batches a profile goes with, and so what the
    # stakeholder enricher sees: the same input must give the same labels in every run.
    def resent(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _SENT_AGAIN], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    assert resent("1") == resent("2") == resent("3")
    assert resent("1").strip() not in ("[]", "")
