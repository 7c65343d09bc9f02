"""Update every row of a large table within the writer's memory limit.

DuckDB holds the new values of an UPDATE in memory until its commit (about 100 bytes a
row), so an update of every row of a 10M-row table needs about 1 GB. Done a slice of rows
at a time outside a transaction, each slice commits by itself and memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import duckdb

#: Rows per statement: about 25 MB of pending values.
SLICE: Final = 250_000


def update_in_slices(
    con: duckdb.DuckDBPyConnection,
    table: str,
    assignment: str,
    where: str = "TRUE",
    rows: int = SLICE,
    before: Callable[[str], None] | None = None,
) -> None:
    """Run ``UPDATE table SET assignment WHERE where`` ``rows`` rows (by rowid) at a time.

    ``before`` is called with each slice's condition ahead of its update. ``table``,
    ``assignment`` and ``where`` are fixed SQL of the caller, never user input.
    """
    span = con.execute(
        f"SELECT min(rowid), max(rowid) FROM {table} WHERE {where}"  # noqa: S608 - fixed SQL
    ).fetchall()[0]
    if span[0] is None:
        return
    for first in range(int(span[0]), int(span[1]) + 1, rows):
        part = f"({where}) AND rowid BETWEEN {first} AND {first + rows - 1}"
        if before is not None:
            before(part)
        con.execute(f"UPDATE {table} SET {assignment} WHERE {part}")  # noqa: S608 - fixed SQL
