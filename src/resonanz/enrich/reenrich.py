"""Re-enrich stored posts and authors whose enricher versions differ from the current ones."""

from __future__ import annotations

import json
from collections.abc import Callable

import duckdb
import pyarrow as pa

from resonanz.ingest import EnrichAuthors
from resonanz.store import Store

_POST_COLS = ("lang", "sentiment", "sentiment_score", "emotion", "aspects", "intents", "enriched")
_AUTHOR_COLS = ("stakeholder", "stakeholder_confidence", "stakeholder_evidence", "enriched")


def stale_posts(store: Store, stamp: str) -> int:
    """Return how many stored posts were enriched with other versions than ``stamp``."""
    row = store.con.execute(
        "SELECT count(*) FROM posts WHERE enriched IS DISTINCT FROM ?", [stamp]
    ).fetchone()
    store.con.complete()
    return int(row[0]) if row else 0


def _page(
    store: Store, table: str, key: str, stamp: str, after: tuple[str, str], size: int
) -> pa.Table:
    return store.con.sql(
        f"SELECT * FROM {table} WHERE enriched IS DISTINCT FROM $stamp "  # noqa: S608
        f"AND (platform > $p OR (platform = $p AND {key} > $k)) "
        f"ORDER BY platform, {key} LIMIT {int(size)}",
        params={"stamp": stamp, "p": after[0], "k": after[1]},
    ).to_arrow_table()


def _write_back(store: Store, table: str, key: str, rows: pa.Table, cols: tuple[str, ...]) -> None:
    update = rows.select(["platform", key, *cols])
    sets = ", ".join(f"{c} = u.{c}" for c in cols)
    with store.transaction() as con:
        con.complete()
        con.register("__reenrich", update)
        try:
            con.execute(
                f"UPDATE {table} SET {sets} FROM __reenrich u "  # noqa: S608 - fixed names
                f"WHERE {table}.platform = u.platform AND {table}.{key} = u.{key}"
            )
            if table == "posts":
                _reapply_corrections(con)
        finally:
            con.complete()
            con.unregister("__reenrich")


#: How an analyst's correction (stored as JSON) becomes the post's column again.
_CORRECTED = {
    "sentiment": "json_extract_string(c.value, '$')",
    "emotion": "json_extract_string(c.value, '$')",
    "intents": "from_json(c.value, '[\"VARCHAR\"]')",
    "aspects": 'from_json(c.value, \'[{"category": "VARCHAR", "polarity": "VARCHAR"}]\')',
}


def _reapply_corrections(con: duckdb.DuckDBPyConnection) -> None:
    """Put analysts' latest corrections back on the re-enriched posts: people beat models."""
    for field, value in _CORRECTED.items():
        score = ", sentiment_score = NULL" if field == "sentiment" else ""
        con.execute(
            f"UPDATE posts SET {field} = {value}{score} "  # noqa: S608 - fixed names
            "FROM (SELECT platform, native_id, value FROM post_corrections WHERE field = ? "
            "      QUALIFY row_number() OVER (PARTITION BY platform, native_id "
            "                                 ORDER BY id DESC) = 1) c, __reenrich u "
            "WHERE posts.platform = c.platform AND posts.native_id = c.native_id "
            "AND u.platform = c.platform AND u.native_id = c.native_id",
            [field],
        )


def reenrich_posts(
    store: Store, enrich: Callable[[pa.Table], pa.Table], stamp: str, batch_size: int = 5000
) -> int:
    """Re-enrich every stale post in batches, each written back in one transaction."""
    done, after = 0, ("", "")
    while True:
        page = _page(store, "posts", "native_id", stamp, after, batch_size)
        if page.num_rows == 0:
            return done
        _write_back(store, "posts", "native_id", enrich(page), _POST_COLS)
        done += page.num_rows
        last = page.slice(page.num_rows - 1).to_pylist()[0]
        after = (last["platform"], last["native_id"])


def reenrich_authors(
    store: Store, enrich: EnrichAuthors, stamp: str, batch_size: int = 2000
) -> int:
    """Re-classify every author whose stakeholder version differs, with their stored posts."""
    done, after = 0, ("", "")
    while True:
        page = _page(store, "authors", "handle", stamp, after, batch_size)
        if page.num_rows == 0:
            return done
        store.con.complete()
        store.con.register("__who", page.select(["platform", "handle"]))
        try:
            posts = store.con.sql(
                "SELECT p.* FROM posts p JOIN __who w "
                "ON p.platform = w.platform AND p.author = w.handle"
            ).to_arrow_table()
        finally:
            store.con.unregister("__who")
        _write_back(store, "authors", "handle", enrich(page, posts), _AUTHOR_COLS)
        done += page.num_rows
        last = page.slice(page.num_rows - 1).to_pylist()[0]
        after = (last["platform"], last["handle"])


def author_stamp() -> str:
    """Return the ``enriched`` value the current stakeholder enricher writes."""
    from resonanz.enrich.stakeholder import StakeholderEnricher

    return json.dumps({StakeholderEnricher.name: StakeholderEnricher.version})
