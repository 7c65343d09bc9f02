"""Apply the numbered SQL migrations in ``store/migrations`` in order, exactly once each."""

from __future__ import annotations

import re
from importlib import resources

import duckdb

from resonanz.records import utcnow

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str, str]]:
    """Return ``(number, name, sql)`` for every shipped migration, in order."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("resonanz.store.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Return the numbers of the migrations already applied to ``con``."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
    )
    rows = con.execute("SELECT number FROM schema_migrations").fetchall()
    return {int(r[0]) for r in rows}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    done = applied(con)
    ran: list[str] = []
    for number, name, sql in available():
        if number in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [number, name, utcnow()])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        ran.append(name)
    return ran
