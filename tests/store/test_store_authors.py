"""Author upserts: newest observation wins field by field, list fields included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from resonanz.records import AUTHOR_SCHEMA, to_table
from resonanz.store import Store

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
EVIDENCE = pa.list_(pa.string())


def _authors(rows: list[tuple[str, datetime, str | None, list[str] | None]]) -> pa.Table:
    """Profiles (handle, seen, stakeholder, evidence) with the stakeholder columns."""
    table = to_table(
        [{"platform": "m", "handle": h, "updated_at": seen} for h, seen, _, _ in rows],
        AUTHOR_SCHEMA,
    )
    table = table.append_column("stakeholder", pa.array([r[2] for r in rows], pa.string()))
    table = table.append_column("stakeholder_confidence", pa.array([0.5] * len(rows), pa.float32()))
    return table.append_column("stakeholder_evidence", pa.array([r[3] for r in rows], EVIDENCE))


def _stored(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute(
        "SELECT handle, stakeholder, stakeholder_evidence, updated_at FROM authors ORDER BY 1"
    ).fetchall()


def test_list_fields_follow_the_newest_observation_and_empty_ones_keep_theirs(
    store: Store,
) -> None:
    later, earlier = T0 + timedelta(days=1), T0 - timedelta(days=1)
    store.upsert_authors(
        _authors(
            [
                ("a", T0, "fan", ["x"]),
                ("b", T0, "fan", ["x"]),
                ("c", T0, "fan", ["x"]),
                ("d", T0, "fan", ["x"]),
                ("e", T0, None, None),
            ]
        )
    )
    store.upsert_authors(
        _authors(
            [
                ("a", later, "critic", ["y", "z"]),  # newer: replaced
                ("b", later, None, None),  # newer but empty: kept
                ("c", earlier, "critic", ["y"]),  # older: the stored values stay
                ("d", later, "fan", ["x"]),  # unchanged list, newer time
                ("e", earlier, "critic", []),  # older, but fills empty fields
                ("f", T0, "new", ["n"]),  # new author
            ]
        )
    )
    assert _stored(store) == [
        ("a", "critic", ["y", "z"], later),
        ("b", "fan", ["x"], later),
        ("c", "fan", ["x"], T0),
        ("d", "fan", ["x"], later),
        ("e", "critic", [], T0),
        ("f", "new", ["n"], T0),
    ]


def test_a_batch_without_any_list_value_keeps_every_stored_list(store: Store) -> None:
    store.upsert_authors(_authors([("a", T0, "fan", ["x"])]))
    store.upsert_authors(_authors([("a", T0 + timedelta(days=1), "critic", None)]))
    assert _stored(store) == [("a", "critic", ["x"], T0 + timedelta(days=1))]
