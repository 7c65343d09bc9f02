"""The fast parts of the opinion-leader insight give the same answers as plain formulations:
graph numbering and PageRank, rank look-up, and per-author text and stance counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb
import numpy as np
import pytest
from synthetic_world import END

from resonanz.insights import InsightParams, influencers
from resonanz.insights.params import ENGAGEMENT, fetch_dicts, filtered_posts_cte, topic_kinds
from resonanz.insights.stance import author_counts
from resonanz.store.migrate import migrate

OWN = (("mastodon", "acme"),)
SLICES: list[dict[str, Any]] = [
    {},
    {"since": END - timedelta(days=4), "platforms": ("mastodon",)},
    {"topics": ("rival",), "languages": ("de",)},
]


def _plain_ranks(con: Any, params: InsightParams) -> tuple[list[str], np.ndarray]:
    sql, args = influencers._edge_sql(params)
    edges = con.execute(sql, args).fetchall()
    keys = [(f"{p}\t{s}", f"{p}\t{d}", w) for p, s, d, w in edges]
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


@pytest.mark.parametrize("slice_", SLICES)
def test_graph_ranks_match_a_plain_numbering(world_con: Any, slice_: dict[str, Any]) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    names, ranks = influencers._graph_ranks(world_con, params)
    plain_names, plain_ranks = _plain_ranks(world_con, params)
    assert names.to_pylist() == plain_names
    assert np.array_equal(ranks, plain_ranks)  # bit for bit: the same node order
    keys = [tuple(n.split("\t", 1)) for n in plain_names[::7]] + [("mastodon", "nobody")]
    looked = influencers._rank_of(names, ranks, keys)  # type: ignore[arg-type]
    index = {n: i for i, n in enumerate(plain_names)}
    for (platform, handle), rank in looked.items():
        at = index.get(f"{platform}\t{handle}")
        assert rank == (0.0 if at is None else float(plain_ranks[at]))


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
    texts, counts = author_counts(world_con, params, keys, ours)
    assert texts == {(str(p), str(a)): int(n) for p, a, n in rows}
    plain = _plain_counts(world_con, params, ours)
    for key in keys:
        got = {topic: c["posts"] for topic, c in counts.get(key, {}).items()}
        assert got == plain.get(key, {})


def _plain_candidates(con: Any, params: InsightParams, top: int) -> list[dict[str, Any]]:
    """The candidates from one query: every author's figures, the graph's nodes joined in
    (rank 0 outside the graph), the first ``top`` by rank and engagement, and the authors
    whose behaviour or profile may be a bot's."""
    names, ranks = influencers._graph_ranks(con, params)
    con.register("plain_nodes", influencers._leading(names, ranks, len(ranks)))
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte},
        s AS (
            SELECT p.platform, p.author AS handle, count(*) AS posts,
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
        SELECT k.platform, k.handle, t.pos, t.pagerank, s.posts IS NOT NULL AS active,
               s.posts, s.engagement, s.reposts_made, s.span_hours,
               a.followers, a.is_bot, a.stakeholder
        FROM k LEFT JOIN t USING (platform, handle) LEFT JOIN s USING (platform, handle)
        LEFT JOIN authors a ON a.platform = s.platform AND a.handle = s.handle
    """  # noqa: S608
    try:
        return fetch_dicts(con, sql, [*args, top])
    finally:
        con.unregister("plain_nodes")


@pytest.mark.parametrize("top", [3, 40, 100_000])
@pytest.mark.parametrize("slice_", SLICES)
def test_candidates_match_a_plain_query(world_con: Any, slice_: dict[str, Any], top: int) -> None:
    params = InsightParams(until=END, own_accounts=OWN, **slice_)
    names, ranks = influencers._graph_ranks(world_con, params)
    figures = influencers._AuthorPass(world_con, params)
    try:
        rows = influencers._candidates(figures, influencers._leading(names, ranks, top), top)
    finally:
        figures.close()

    def ordered(found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return sorted(tuple(sorted(r.items())) for r in found)

    assert ordered(rows) == ordered(_plain_candidates(world_con, params, top))
    places = sorted(int(r["pos"]) for r in rows if r["pos"])
    assert places == list(range(1, min(top, len(places)) + 1)) and places


def test_author_pass_runs_on_the_callers_connection_where_needed(world_con: Any) -> None:
    """Posts registered on one connection only: the second connection cannot read them."""
    posts = world_con.sql("SELECT * FROM posts").to_arrow_table()
    con = duckdb.connect()
    try:
        migrate(con)
        con.execute("DROP TABLE posts")
        con.complete()
        con.register("posts", posts)
        params = InsightParams(until=END, own_accounts=OWN)
        figures = influencers._AuthorPass(con, params)
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
    finally:
        con.close()


def test_author_pass_closes_before_it_is_needed(world_con: Any) -> None:
    figures = influencers._AuthorPass(world_con, InsightParams(until=END))
    figures.close()
    tables = world_con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [figures.table]
    ).fetchall()
    assert tables == [(0,)]
