"""The fast parts of the opinion-leader insight give the same answers as plain formulations:
graph numbering and PageRank, rank look-up, and per-author text and stance counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from synthetic_world import END

from resonanz.insights import InsightParams, influencers
from resonanz.insights.params import fetch_dicts, filtered_posts_cte, topic_kinds
from resonanz.insights.stance import author_counts

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
