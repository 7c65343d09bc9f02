"""The fast parts of the opinion-leader insight give the same answers as plain formulations:
graph numbering and PageRank, rank look-up, and per-author text and stance counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from synthetic_world import END

from resonanz.insights import InsightParams, influencers
from resonanz.insights.keys import Ident, author_keys_usable
from resonanz.insights.params import ENGAGEMENT, fetch_dicts, filtered_posts_cte, topic_kinds
from resonanz.insights.stance import author_counts
from resonanz.store import author_keys
from resonanz.store.migrate import migrate

OWN = (("mastodon", "acme"),)
SLICES: list[dict[str, Any]] = [
    {},
    {"since": END - timedelta(days=4), "platforms": ("mastodon",)},
    {"topics": ("rival",), "languages": ("de",)},
]


IDENTS = [Ident(keyed=True), Ident(keyed=False)]


def _plain_ranks(con: Any, params: InsightParams, ident: Ident) -> tuple[list[Any], np.ndarray]:
    sql, args = influencers._edge_sql(params, ident)
    keys = con.execute(sql, args).fetchall()
    names = sorted({k for s, d, _ in keys for k in (s, d)})
    index = {name: i for i, name in enumerate(names)}
    src = np.array([index[s] for s, _, _ in keys], np.int64)
    dst = np.array([index[d] for _, d, _ in keys], np.int64)
    weight = np.array([float(w) for _, _, w in keys])
    return names, influencers.pagerank(src, dst, weight, len(names)) * len(names)


def _plain_counts(con: Any, params: InsightParams, ours: list[str]) -> dict[Any, Any]:
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte}
        SELECT p.platform, p.author, NULL AS topic, count(*) AS posts,
               count(*) FILTER (WHERE p.sentiment = 'positive') AS pos,
               count(*) FILTER (WHERE p.sentiment = 'negative') AS neg
        FROM f p
        WHERE p.author IS NOT NULL AND (len(?::VARCHAR[]) = 0 OR EXISTS (
            SELECT 1 FROM matches m WHERE m.platform = p.platform
               AND m.native_id = p.native_id AND list_contains(?::VARCHAR[], m.topic)))
        GROUP BY ALL
        UNION ALL
        SELECT p.platform, p.author, m.topic, count(*), 0, 0 FROM f p
        JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
        WHERE p.author IS NOT NULL GROUP BY ALL
    """  # noqa: S608
    out: dict[Any, Any] = {}
    for row in fetch_dicts(con, sql, [*args, ours, ours]):
        key = (row["platform"], row["author"])
        out.setdefault(key, {})[row["topic"]] = row["posts"]
    return out


def _names(con: Any, ident: Ident) -> dict[Any, tuple[str, str]]:
    """Every author key with its (platform, handle)."""
    if ident.keyed:
        rows = con.execute("SELECT author_key, platform, handle FROM author_keys").fetchall()
        return {k: (p, h) for k, p, h in rows}
    return _TextNames()


class _TextNames(dict[Any, tuple[str, str]]):
    def __missing__(self, key: str) -> tuple[str, str]:
        platform, handle = key.split("\t", 1)
        return platform, handle


@pytest.mark.parametrize("ident", IDENTS)
@pytest.mark.parametrize("slice_", SLICES)
def test_graph_ranks_match_a_plain_numbering(
    world_con: Any, slice_: dict[str, Any], ident: Ident
) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    names, ranks = influencers._graph_ranks(world_con, params, ident)
    plain_names, plain_ranks = _plain_ranks(world_con, params, ident)
    assert names.to_pylist() == plain_names
    assert np.array_equal(ranks, plain_ranks)  # bit for bit: the same node order
    keys = [*plain_names[::7], 12345 if ident.keyed else "mastodon\tnobody"]
    looked = influencers._rank_of(names, ranks, keys)
    index = {n: i for i, n in enumerate(plain_names)}
    for key, rank in zip(keys, looked, strict=True):
        at = index.get(key)
        assert rank == (0.0 if at is None else float(plain_ranks[at]))


def test_both_identities_rank_the_same_graph(world_con: Any) -> None:
    """The numeric and the text key of an author give every author the same PageRank."""
    params = InsightParams(until=END, own_accounts=OWN)
    ranked = []
    for ident in IDENTS:
        names, ranks = influencers._graph_ranks(world_con, params, ident)
        who = _names(world_con, ident)
        ranked.append({who[k]: r for k, r in zip(names.to_pylist(), ranks, strict=True)})
    assert ranked[0].keys() == ranked[1].keys() and len(ranked[0]) > 50
    for key, rank in ranked[0].items():
        assert rank == pytest.approx(ranked[1][key], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("slice_", SLICES)
def test_author_counts_match_plain_counts(world_con: Any, slice_: dict[str, Any]) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    kinds = topic_kinds(world_con)
    ours = [t for t, k in kinds.items() if k in ("brand", "product")]
    cte, args = filtered_posts_cte(params)
    rows = world_con.execute(
        f"WITH {cte} SELECT platform, author, count(DISTINCT text) FROM f "  # noqa: S608
        "WHERE author IS NOT NULL GROUP BY ALL ORDER BY count(*) DESC, author LIMIT 40",
        args,
    ).fetchall()
    keys = [(str(p), str(a)) for p, a, _ in rows]
    plain = _plain_counts(world_con, params, ours)
    for ident in IDENTS:
        texts, counts = author_counts(world_con, params, keys, ours, ident=ident)
        assert texts == {(str(p), str(a)): int(n) for p, a, n in rows}
        for key in keys:
            got = {topic: c["posts"] for topic, c in counts.get(key, {}).items()}
            assert got == plain.get(key, {})


def _plain_candidates(
    con: Any, params: InsightParams, top: int, ident: Ident
) -> list[dict[str, Any]]:
    """The candidates from one query: every author's figures, the graph's nodes joined in
    (rank 0 outside the graph), the first ``top`` by rank and engagement, and the authors
    whose behaviour or profile may be a bot's."""
    names, ranks = influencers._graph_ranks(con, params, ident)
    who = _names(con, ident)
    nodes = influencers._leading(names, ranks, len(ranks))
    named = [who[k] for k in nodes["akey"].to_pylist()]
    con.register(
        "plain_nodes",
        pa.table(
            {
                "akey": nodes["akey"],
                "platform": [p for p, _ in named],
                "handle": [h for _, h in named],
                "pagerank": nodes["pagerank"],
            }
        ),
    )
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte},
        s AS (
            SELECT p.platform, p.author AS handle, {ident.post()} AS akey, count(*) AS posts,
                   sum({ENGAGEMENT}) AS engagement,
                   count(*) FILTER (WHERE p.repost_of IS NOT NULL) AS reposts_made,
                   (max(epoch_us(p.created_at)) - min(epoch_us(p.created_at))) / 3.6e9
                       AS span_hours,
                   bit_count(bit_or(1::UBIGINT << (hash(p.text) % 64))) AS text_floor
            FROM f p WHERE p.author IS NOT NULL GROUP BY ALL
        ),
        t AS (
            SELECT *, row_number() OVER (
                ORDER BY pagerank DESC, eng DESC, handle, platform) AS pos
            FROM (
                SELECT coalesce(s.platform, r.platform) AS platform,
                       coalesce(s.handle, r.handle) AS handle,
                       coalesce(r.pagerank, 0.0) AS pagerank, coalesce(s.engagement, 0) AS eng
                FROM s FULL JOIN plain_nodes r
                  ON r.platform = s.platform AND r.handle = s.handle)
            QUALIFY pos <= ?
        ),
        k AS (
            SELECT platform, handle FROM t
            UNION
            SELECT platform, handle FROM s WHERE s.posts >= 10 AND {influencers._raw_bot_sql()}
                >= {influencers._BOT_FLOOR}
            UNION
            SELECT a.platform, a.handle FROM authors a JOIN s USING (platform, handle)
            WHERE a.is_bot OR a.stakeholder = 'bot'
        )
        SELECT coalesce(s.akey, r.akey) AS akey,
               k.platform, k.handle, t.pos, t.pagerank, s.posts IS NOT NULL AS active,
               s.posts, s.engagement, s.reposts_made, s.span_hours,
               a.followers, a.is_bot, a.stakeholder
        FROM k LEFT JOIN t USING (platform, handle) LEFT JOIN s USING (platform, handle)
        LEFT JOIN authors a ON a.platform = s.platform AND a.handle = s.handle
        LEFT JOIN plain_nodes r ON r.platform = k.platform AND r.handle = k.handle
    """  # noqa: S608
    try:
        return fetch_dicts(con, sql, [*args, top])
    finally:
        con.unregister("plain_nodes")


@pytest.mark.parametrize("ident", IDENTS)
@pytest.mark.parametrize("top", [3, 40, 100_000])
@pytest.mark.parametrize("slice_", SLICES)
def test_candidates_match_a_plain_query(
    world_con: Any, slice_: dict[str, Any], top: int, ident: Ident
) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    names, ranks = influencers._graph_ranks(world_con, params, ident)
    figures = influencers._AuthorPass(world_con, params, ident)
    try:
        rows = influencers._candidates(figures, influencers._leading(names, ranks, top), top)
    finally:
        figures.close()

    def ordered(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(tuple(sorted(r.items())) for r in found)

    assert ordered(rows) == ordered(_plain_candidates(world_con, params, top, ident))
    places = sorted(int(r["pos"]) for r in rows if r["pos"])
    assert places == list(range(1, min(top, len(places)) + 1)) and places


@contextmanager
def _posts_only(world_con: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new database whose posts are the world's, registered on its connection only."""
    posts = world_con.sql("SELECT * FROM posts").to_arrow_table()
    con = duckdb.connect()
    try:
        migrate(con)
        con.execute("DROP TABLE posts")
        con.complete()
        con.register("posts", posts)
        yield con
    finally:
        con.close()


def test_author_pass_runs_on_the_callers_connection_where_needed(world_con: Any) -> None:
    """Posts registered on one connection only: the second connection cannot read them."""
    with _posts_only(world_con) as con:
        params = InsightParams(until=END, own_accounts=OWN)
        figures = influencers._AuthorPass(con, params, Ident(keyed=True))
        try:
            figures.wait()
            sql = f"SELECT count(*), sum(posts) FROM {figures.table}"  # noqa: S608
            found = con.execute(sql).fetchall()
        finally:
            figures.close()
        plain = world_con.execute(
            "SELECT count(DISTINCT (platform, author)), count(*) FROM posts "
            "WHERE author IS NOT NULL AND created_at < ?",
            [END],
        ).fetchall()
        assert found == plain


def test_author_pass_closes_before_it_is_needed(world_con: Any) -> None:
    figures = influencers._AuthorPass(world_con, InsightParams(until=END), IDENTS[0])
    figures.close()
    tables = world_con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [figures.table]
    ).fetchall()
    assert tables == [(0,)]


def test_a_clash_of_keys_turns_the_key_off_and_changes_no_answer(
    synthetic: tuple[Any, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    (folder / "resonanz.duckdb").write_bytes((synthetic[0].folder / "resonanz.duckdb").read_bytes())
    path = folder / "resonanz.duckdb"
    params = InsightParams(until=END, own_accounts=OWN)
    with duckdb.connect(str(path)) as con:
        assert author_keys_usable(con)
        keyed = influencers.compute(con, params)
        # Another handle with the key of a stored author, as if hash() gave both the same.
        platform, handle, key = con.execute(
            "SELECT platform, author, author_key FROM posts WHERE author IS NOT NULL LIMIT 1"
        ).fetchall()[0]
        con.execute("INSERT INTO author_keys VALUES (?, ?, ?)", [key, platform, handle + "_x"])
        con.execute("DELETE FROM author_keys WHERE handle = ?", [handle])
        author_keys.register(con, f"SELECT '{platform}' AS platform, '{handle}' AS handle")
        assert con.execute("SELECT author_key FROM author_key_clashes").fetchall() == [(key,)]
        assert not author_keys_usable(con)
        assert not Ident.of(con).keyed
        assert influencers.compute(con, params) == keyed


def test_keys_without_registered_authors_are_not_used(world_con: Any) -> None:
    """Parquet files may bring an author_key column; without the register the text key is
    used (a lake's tables are views over such files)."""
    with _posts_only(world_con) as con:
        keyed = con.execute("SELECT count(*) FROM posts WHERE author_key IS NULL").fetchall()
        assert keyed == [(0,)]
        assert not author_keys_usable(con)
