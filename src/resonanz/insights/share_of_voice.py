"""Share of voice: our brand against each competitor — volume, reach, engagement, sentiment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from resonanz.insights.keys import post_match
from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    as_utc,
    bucket_sql,
    fetch_dicts,
    filtered_posts_cte,
    topic_kinds,
)

NAME = "share-of-voice"


@dataclass(frozen=True)
class ShareOfVoice(Result):
    """Per-topic totals and the same figures per time bucket, platform and language.

    ``share`` is the topic's part of all posts of the compared topics; ``reach_share`` the
    same weighted by the authors' followers.
    """

    topics: tuple[str, ...]
    totals: tuple[dict[str, Any], ...]
    over_time: tuple[dict[str, Any], ...]
    by_platform: tuple[dict[str, Any], ...]
    by_language: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per topic."""
        return [dict(r) for r in self.totals]


def compared_topics(con: duckdb.DuckDBPyConnection, params: InsightParams) -> tuple[str, ...]:
    """Return the topics to compare: the chosen ones, else brand and competitor topics."""
    if params.topics:
        return params.topics
    kinds = topic_kinds(con)
    chosen = tuple(t for t, k in kinds.items() if k in ("brand", "competitor"))
    return chosen or tuple(kinds)


def _grouped(
    con: duckdb.DuckDBPyConnection, params: InsightParams, topics: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """Return rows per breakdown ("total", "bucket", "platform", "lang") from one query."""
    cte, args = filtered_posts_cte(params)
    marks = ", ".join("?" for _ in topics)
    # One pass over the posts aggregates to the finest breakdown; the rollups to each
    # breakdown then run over those few rows (every figure is a count or a sum).
    sql = f"""
        WITH {cte},
        fine AS (
            SELECT {bucket_sql(params)} AS g_bucket, p.platform AS g_platform,
                   coalesce(p.lang, 'und') AS g_lang, m.topic AS topic, count(*) AS posts,
                   sum(coalesce(a.followers, 0)) AS reach,
                   sum({ENGAGEMENT}) AS engagement,
                   count(*) FILTER (WHERE p.sentiment = 'positive') AS positive,
                   count(*) FILTER (WHERE p.sentiment = 'neutral') AS neutral,
                   count(*) FILTER (WHERE p.sentiment = 'negative') AS negative
            FROM f p
            JOIN matches m ON {post_match(con)}
            LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
            WHERE m.topic IN ({marks})
            GROUP BY ALL
        )
        SELECT g_bucket, g_platform, g_lang, topic,
               GROUPING(g_bucket, g_platform, g_lang) AS level, sum(posts) AS posts,
               sum(reach) AS reach, sum(engagement) AS engagement, sum(positive) AS positive,
               sum(neutral) AS neutral, sum(negative) AS negative
        FROM fine
        GROUP BY GROUPING SETS (
            (topic), (g_bucket, topic), (g_platform, topic), (g_lang, topic))
    """  # noqa: S608 - fixed fragments; values are bound
    # GROUPING() sets a bit per column left out: 7 = none kept, 3 = bucket, 5 = platform, 6 = lang.
    levels = {7: "total", 3: "bucket", 5: "platform", 6: "lang"}
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in levels.values()}
    for row in fetch_dicts(con, sql, [*args, *topics]):
        dim = levels[int(row.pop("level"))]
        key: Any = row[f"g_{dim}"] if dim != "total" else "all"
        for name in ("g_bucket", "g_platform", "g_lang"):
            row.pop(name)
        for name in ("posts", "reach", "engagement", "positive", "neutral", "negative"):
            row[name] = int(row[name] or 0)
        row["key"] = as_utc(key) if dim == "bucket" else key
        out[dim].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (r["key"], r["topic"]))
        _add_shares(rows)
    return out


def _add_shares(rows: list[dict[str, Any]]) -> None:
    """Add each topic's share of posts and of reach within its group (same key)."""
    posts: dict[Any, int] = {}
    reach: dict[Any, int] = {}
    for row in rows:
        posts[row["key"]] = posts.get(row["key"], 0) + int(row["posts"])
        reach[row["key"]] = reach.get(row["key"], 0) + int(row["reach"] or 0)
    for row in rows:
        all_posts, all_reach = posts[row["key"]], reach[row["key"]]
        row["share"] = round(int(row["posts"]) / all_posts, 4) if all_posts else 0.0
        row["reach_share"] = round(int(row["reach"] or 0) / all_reach, 4) if all_reach else 0.0
        rated = int(row["positive"]) + int(row["negative"])
        row["net_sentiment"] = (
            round((int(row["positive"]) - int(row["negative"])) / rated, 4) if rated else None
        )


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> ShareOfVoice:
    """Compare the volume, reach, engagement and sentiment of the compared topics."""
    topics = compared_topics(con, params)
    if not topics:
        return ShareOfVoice((), (), (), (), ())
    grouped = _grouped(con, params, topics)
    totals = grouped["total"]
    for row in totals:
        del row["key"]
    totals.sort(key=lambda r: -int(r["posts"]))

    def keyed(dim: str) -> tuple[dict[str, Any], ...]:
        rows = grouped[dim]
        for row in rows:
            row[dim] = row.pop("key")
        return tuple(rows)

    return ShareOfVoice(
        topics=topics,
        totals=tuple(totals),
        over_time=keyed("bucket"),
        by_platform=keyed("platform"),
        by_language=keyed("lang"),
    )
