"""Build a store as an older version of Resonanz left it."""

from __future__ import annotations

import duckdb

from resonanz.store.migrate import applied, available


def migrate_before(con: duckdb.DuckDBPyConnection, first_left_out: int) -> None:
    """Apply and record the migrations numbered below ``first_left_out`` (an older store)."""
    applied(con)  # creates the table of applied migrations
    for number, name, sql in available():
        if number < first_left_out:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
