"""Compute insights with DuckDB over Parquet files written by Spark (or any lake job)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from resonanz.config import Settings
from resonanz.store.migrate import migrate

#: Tables a lake folder may provide as ``<name>.parquet`` or ``<name>/`` (Spark's layout).
LAKE_TABLES = ("posts", "authors", "edges", "matches")


def parquet_glob(path: Path) -> str:
    """Return the DuckDB ``read_parquet`` argument for a file or a Spark output folder."""
    return str(path / "*.parquet") if path.is_dir() else str(path)


def _literal(text: str) -> str:
    """Quote a path as a SQL string literal (DDL cannot take bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def open_lake(posts: Path, extra: dict[str, Path] | None = None) -> duckdb.DuckDBPyConnection:
    """Open an in-memory database whose tables are views over Parquet files.

    The schema comes from the same migrations as a workspace; tables given as Parquet replace
    the empty ones, so every insight's SQL runs unchanged.
    """
    con = duckdb.connect()
    migrate(con)
    sources = {"posts": posts, **(extra or {})}
    for name, path in sources.items():
        if name not in LAKE_TABLES:
            raise ValueError(f"unknown lake table {name!r}; expected one of {LAKE_TABLES}")
        glob = parquet_glob(path)
        present = {
            r[0] for r in con.execute("SELECT name FROM parquet_schema(?)", [glob]).fetchall()
        }
        columns = con.execute(f"DESCRIBE {name}").fetchall()
        select = ", ".join(
            f'"{col}"' if col in present else f'CAST(NULL AS {kind}) AS "{col}"'
            for col, kind, *_ in columns
        )
        con.execute(f"DROP TABLE {name}")
        con.execute(
            f"CREATE VIEW {name} AS SELECT {select} "  # noqa: S608 - schema from migrations
            f"FROM read_parquet({_literal(glob)})"
        )
    return con


def add_topics(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Fill the lake's ``topics`` table from a workspace's settings (kinds for the insights)."""
    for name, topic in settings.topics.items():
        con.execute(
            "INSERT INTO topics VALUES (?, ?, ?, ?, 'config', now())",
            [name, topic.kind, topic.query, topic.aspects],
        )
