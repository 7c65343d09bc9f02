"""Opinion leaders: influence in the interaction graph, stance toward us, and likely bots.

Influence is PageRank over the directed graph "A replied to / reposted / quoted / mentioned
B" (an interaction passes attention from A to B), beside reach (followers) and the
engagement an author's posts received. Stance is the balance of an author's sentiment in
posts about our brand and products.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, Final

import duckdb
import numpy as np
from scipy import sparse

from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    fetch_dicts,
    filtered_posts_cte,
    post_filter,
    topic_kinds,
)

NAME = "influencers"
DAMPING: Final = 0.85
STANCE_CUT: Final = 0.25
BOT_CUT: Final = 0.5
PER_TOPIC: Final = 5

Key = tuple[str, str]


@dataclass(frozen=True)
class Influencers(Result):
    """Authors ranked by PageRank, split by stance, per topic, and the likely bots."""

    leaders: tuple[dict[str, Any], ...]
    supporters: tuple[dict[str, Any], ...]
    critics: tuple[dict[str, Any], ...]
    neutral: tuple[dict[str, Any], ...]
    by_topic: dict[str, tuple[dict[str, Any], ...]]
    bots: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return the leaders."""
        return [dict(r) for r in self.leaders]


def pagerank(
    src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int, tol: float = 1e-9
) -> np.ndarray:
    """Return PageRank scores of ``n`` nodes for weighted edges src → dst (power iteration)."""
    if n == 0:
        return np.zeros(0)
    matrix = sparse.csr_matrix((weight, (src, dst)), shape=(n, n), dtype=float)
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inv = np.divide(1.0, out_weight, out=np.zeros(n), where=~dangling)
    transition = sparse.diags(inv) @ matrix
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        spill = rank[dangling].sum() / n
        new = DAMPING * (transition.T @ rank + spill) + (1.0 - DAMPING) / n
        if np.abs(new - rank).sum() < tol:
            return np.asarray(new)
        rank = new
    return rank


def _edge_sql(params: InsightParams) -> tuple[str, list[object]]:
    """Return the weighted-edge query; edges carry time and platform, so only topic and
    language filters need a join with the posts."""
    if params.topics or params.languages:
        cte, args = filtered_posts_cte(params)
        source = f"WITH {cte} SELECT e.* FROM edges e JOIN f p "  # noqa: S608
        source += "ON p.platform = e.platform AND p.native_id = e.post_id"
    else:
        where, args = post_filter(params, "e")
        source = f"SELECT e.* FROM edges e WHERE {where}"  # noqa: S608
    sql = f"""
        SELECT e.platform, e.src_author, e.dst_author, count(*) AS w
        FROM ({source}) e
        WHERE e.dst_author IS NOT NULL AND e.dst_author <> e.src_author
        GROUP BY ALL
    """  # noqa: S608 - fixed fragments; values are bound
    return sql, args


def _graph_ranks(con: duckdb.DuckDBPyConnection, params: InsightParams) -> dict[Key, float]:
    """Return PageRank (scaled so that the mean is 1) of every author in the graph."""
    sql, args = _edge_sql(params)
    cols = con.execute(sql, args).fetchnumpy()
    if len(cols["w"]) == 0:
        return {}
    # Node keys as "platform<TAB>handle", numbered with numpy instead of a Python loop.
    src = np.char.add(
        np.char.add(cols["platform"].astype(str), "\t"), cols["src_author"].astype(str)
    )
    dst = np.char.add(
        np.char.add(cols["platform"].astype(str), "\t"), cols["dst_author"].astype(str)
    )
    names, inverse = np.unique(np.concatenate([src, dst]), return_inverse=True)
    ranks = pagerank(inverse[: len(src)], inverse[len(src) :], cols["w"].astype(float), len(names))
    scaled = ranks * len(names)
    out: dict[Key, float] = {}
    for name, rank in zip(names.tolist(), scaled.tolist(), strict=True):
        platform, _, handle = name.partition("\t")
        out[(platform, handle)] = rank
    return out


def _author_stats(
    con: duckdb.DuckDBPyConnection, params: InsightParams
) -> dict[Key, dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    ours = [t for t, k in topic_kinds(con).items() if k in ("brand", "product")]
    sql = f"""
        WITH {cte},
        us AS (SELECT DISTINCT platform, native_id FROM matches
               WHERE list_contains(?::VARCHAR[], topic)),
        t AS (
            SELECT p.*, (len(?::VARCHAR[]) = 0 OR u.native_id IS NOT NULL) AS about
            FROM f p LEFT JOIN us u ON u.platform = p.platform AND u.native_id = p.native_id
        ),
        s AS (
            SELECT p.platform, p.author AS handle, count(*) AS posts,
                   sum({ENGAGEMENT}) AS engagement,
                   count(*) FILTER (WHERE p.repost_of IS NOT NULL) AS reposts_made,
                   epoch(max(p.created_at) - min(p.created_at)) / 3600 AS span_hours,
                   count(*) FILTER (WHERE p.about AND p.sentiment = 'positive') AS pos,
                   count(*) FILTER (WHERE p.about AND p.sentiment = 'negative') AS neg,
                   count(*) FILTER (WHERE p.about) AS about_us
            FROM t p WHERE p.author IS NOT NULL GROUP BY ALL
        )
        SELECT s.*, a.followers, a.is_bot, a.stakeholder
        FROM s LEFT JOIN authors a ON a.platform = s.platform AND a.handle = s.handle
    """  # noqa: S608 - fixed fragments; values are bound
    params_list: list[object] = [*args, ours, ours]
    return {(str(r["platform"]), str(r["handle"])): r for r in fetch_dicts(con, sql, params_list)}


def _add_distinct_texts(
    con: duckdb.DuckDBPyConnection, params: InsightParams, rows: dict[Key, dict[str, Any]]
) -> None:
    """Add how many different texts each of ``rows``' authors posted (repeats hint at bots)."""
    if not rows:
        return
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte},
        c AS (SELECT UNNEST(?::VARCHAR[]) AS platform, UNNEST(?::VARCHAR[]) AS handle)
        SELECT p.platform, p.author, approx_count_distinct(p.text) FROM f p
        JOIN c ON c.platform = p.platform AND c.handle = p.author GROUP BY ALL
    """  # noqa: S608 - fixed fragments; values are bound
    keys = list(rows)
    found = con.execute(sql, [*args, [k[0] for k in keys], [k[1] for k in keys]]).fetchall()
    for platform, author, distinct in found:
        rows[(str(platform), str(author))]["distinct_texts"] = int(distinct)


def bot_score(row: dict[str, Any]) -> float:
    """Return how likely an author is automated, in [0, 1], from profile and behaviour."""
    if row.get("is_bot"):
        return 1.0
    if row.get("stakeholder") == "bot":
        return 0.9
    posts = int(row.get("posts") or 0)
    if posts < 10:
        return 0.0
    per_day = posts / max(float(row.get("span_hours") or 0.0) / 24.0, 1.0)
    signals = [
        min(per_day / 96.0, 1.0),  # four posts an hour around the clock
        int(row.get("reposts_made") or 0) / posts if posts >= 20 else 0.0,
        1.0 - int(row.get("distinct_texts") or posts) / posts,
    ]
    return round(max(signals), 3)


def _entry(key: Key, rank: float, stats: dict[str, Any] | None) -> dict[str, Any]:
    stats = stats or {}
    pos, neg, about = (int(stats.get(k) or 0) for k in ("pos", "neg", "about_us"))
    stance_score = (pos - neg) / (about + 1)
    stance = "neutral"
    if stance_score >= STANCE_CUT:
        stance = "supporter"
    elif stance_score <= -STANCE_CUT:
        stance = "critic"
    return {
        "platform": key[0],
        "handle": key[1],
        "pagerank": round(rank, 5),
        "reach": int(stats.get("followers") or 0),
        "engagement": int(stats.get("engagement") or 0),
        "posts": int(stats.get("posts") or 0),
        "stance": stance,
        "stance_score": round(stance_score, 3),
        "stakeholder": stats.get("stakeholder"),
        "bot_score": bot_score(stats) if stats else 0.0,
    }


def _by_topic(
    con: duckdb.DuckDBPyConnection, params: InsightParams, people: dict[Key, dict[str, Any]]
) -> dict[str, tuple[dict[str, Any], ...]]:
    """Return the top authors per topic, looking only at the most central candidates."""
    ranked = sorted(people.values(), key=lambda p: -p["pagerank"])[: 50 * PER_TOPIC]
    if not ranked:
        return {}
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte},
        c AS (SELECT UNNEST(?::VARCHAR[]) AS platform, UNNEST(?::VARCHAR[]) AS handle)
        SELECT DISTINCT m.topic, p.platform, p.author FROM f p
        JOIN c ON c.platform = p.platform AND c.handle = p.author
        JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
    """  # noqa: S608 - fixed fragments; values are bound
    cands = [[p["platform"] for p in ranked], [p["handle"] for p in ranked]]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for topic, platform, author in con.execute(sql, [*args, *cands]).fetchall():
        grouped.setdefault(str(topic), []).append(people[(str(platform), str(author))])
    return {
        topic: tuple(sorted(found, key=lambda p: -p["pagerank"])[:PER_TOPIC])
        for topic, found in sorted(grouped.items())
    }


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Influencers:
    """Rank authors by influence, split them by stance and flag likely bots.

    Stance lists are drawn from the most influential authors (50 × ``limit``), which keeps
    the work bounded on large graphs; bots are looked for among every active author.
    """
    ranks = _graph_ranks(con, params)
    stats = _author_stats(con, params)
    keys = set(ranks) | set(stats)

    def order(k: Key) -> tuple[float, int, str]:
        return (-ranks.get(k, 0.0), -int((stats.get(k) or {}).get("engagement") or 0), k[1])

    top = heapq.nsmallest(50 * params.limit, keys, key=order)
    suspects = {k: row for k, row in stats.items() if _maybe_bot(row)}
    _add_distinct_texts(con, params, suspects)
    scores = {k: bot_score(row) for k, row in suspects.items()}
    flagged = [k for k, score in scores.items() if score >= BOT_CUT]
    people = {k: _entry(k, ranks.get(k, 0.0), stats.get(k)) for k in {*top, *flagged}}
    humans = [people[k] for k in top if people[k]["bot_score"] < BOT_CUT]
    bots = sorted(
        (people[k] for k in flagged),
        key=lambda p: (-p["bot_score"], -p["posts"], p["handle"]),
    )
    n = params.limit
    human_people = {(p["platform"], p["handle"]): p for p in humans}
    return Influencers(
        leaders=tuple(humans[:n]),
        supporters=tuple([p for p in humans if p["stance"] == "supporter"][:n]),
        critics=tuple([p for p in humans if p["stance"] == "critic"][:n]),
        neutral=tuple([p for p in humans if p["stance"] == "neutral"][:n]),
        by_topic=_by_topic(con, params, human_people),
        bots=tuple(bots[:n]),
    )


def _maybe_bot(row: dict[str, Any]) -> bool:
    """Say whether an author needs a bot score (flagged, or active enough to judge)."""
    return bool(row.get("is_bot")) or row.get("stakeholder") == "bot" or int(row["posts"]) >= 10
