"""Build posts tables for the query tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from resonanz.records import POST_SCHEMA, to_table

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def posts(*rows: dict[str, Any] | str) -> pa.Table:
    """Return a posts table; a row given as a string is just its text. Ids are "0", "1", …"""
    full = []
    for i, row in enumerate(rows):
        values = {"text": row} if isinstance(row, str) else dict(row)
        values.setdefault("platform", "mastodon")
        values.setdefault("native_id", str(i))
        values.setdefault("created_at", START + timedelta(hours=i))
        values.setdefault("collected_at", START + timedelta(days=30))
        full.append(values)
    return to_table(full, POST_SCHEMA)
