"""Share of voice: our brand against each competitor — volume, reach, engagement, sentiment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    as_utc,
    fetch_dicts,
    filtered_posts_cte,
    topic_kinds,
)

NAME = "share-of-voice"
_DIMENSIONS = {
    "total": "'all'",
    "bucket": "time_bucket(INTERVAL '{interval}', p.created_at AT TIME ZONE 'UTC')",
    "platform": "p.platform",
    "lang": "coalesce(p.lang, 'und')",
}


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
    con: duckdb.DuckDBPyConnection, params: InsightParams, topics: tuple[str, ...], dim: str
) -> list[dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    key = _DIMENSIONS[dim].format(interval=params.interval)
    marks = ", ".join("?" for _ in topics)
    sql = f"""
        WITH {cte}
        SELECT {key} AS key, m.topic AS topic, count(*) AS posts,
               sum(coalesce(a.followers, 0)) AS reach,
               sum({ENGAGEMENT}) AS engagement,
               count(*) FILTER (WHERE p.sentiment = 'positive') AS positive,
               count(*) FILTER (WHERE p.sentiment = 'neutral') AS neutral,
               count(*) FILTER (WHERE p.sentiment = 'negative') AS negative
        FROM f p
        JOIN matches m ON m.platform = p.platform AND m.native_id = p.native_id
        LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
        WHERE m.topic IN ({marks})
        GROUP BY ALL ORDER BY key, topic
    """  # noqa: S608 - fixed fragments; values are bound
    rows = fetch_dicts(con, sql, [*args, *topics])
    _add_shares(rows)
    for row in rows:
        if dim == "bucket":
            row["key"] = as_utc(row["key"])
        for name in ("posts", "reach", "engagement", "positive", "neutral", "negative"):
            row[name] = int(row[name] or 0)
    return rows


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
    totals = _grouped(con, params, topics, "total")
    for row in totals:
        del row["key"]
    totals.sort(key=lambda r: -int(r["posts"]))

    def keyed(dim: str, name: str) -> tuple[dict[str, Any], ...]:
        rows = _grouped(con, params, topics, dim)
        for row in rows:
            row[name] = row.pop("key")
        return tuple(rows)

    return ShareOfVoice(
        topics=topics,
        totals=tuple(totals),
        over_time=keyed("bucket", "bucket"),
        by_platform=keyed("platform", "platform"),
        by_language=keyed("lang", "lang"),
    )
