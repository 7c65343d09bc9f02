"""Sentiment and emotion over time, net sentiment, and the posts that drive each change."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import duckdb

from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    as_utc,
    bucket_sql,
    fetch_dicts,
    filtered_posts_cte,
    post_ref,
)
from resonanz.records import EMOTIONS

NAME = "sentiment"
_DRIVERS_PER_CHANGE = 5
#: The width of each bucket kind (time buckets are fixed-width in UTC).
_WIDTHS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


@dataclass(frozen=True)
class SentimentTrend(Result):
    """Per-bucket sentiment counts and net sentiment, emotion counts, and the largest changes.

    ``net`` is (positive − negative) / all rated posts, in [-1, 1]. Each change names the
    bucket, the jump in net sentiment against the bucket before, and the most engaged posts
    of the sentiment that moved it.
    """

    totals: dict[str, Any]
    series: tuple[dict[str, Any], ...]
    changes: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per time bucket."""
        return [dict(r) for r in self.series]


def _series(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    emotions = ", ".join(
        f"count(*) FILTER (WHERE p.emotion = '{e}') AS emotion_{e}" for e in EMOTIONS
    )
    sql = f"""
        WITH {cte}
        SELECT {bucket_sql(params)} AS bucket,
               count(*) AS posts,
               count(*) FILTER (WHERE p.sentiment = 'positive') AS positive,
               count(*) FILTER (WHERE p.sentiment = 'neutral') AS neutral,
               count(*) FILTER (WHERE p.sentiment = 'negative') AS negative,
               avg(p.sentiment_score) AS mean_score,
               {emotions}
        FROM f p GROUP BY bucket ORDER BY bucket
    """  # noqa: S608 - fixed fragments; values are bound
    rows = fetch_dicts(con, sql, args)
    for row in rows:
        row["bucket"] = as_utc(row["bucket"])
        row["net"] = _net(int(row["positive"]), int(row["negative"]))
        if row["mean_score"] is not None:
            row["mean_score"] = round(float(row["mean_score"]), 4)
    return rows


def _net(positive: int, negative: int) -> float | None:
    rated = positive + negative
    return round((positive - negative) / rated, 4) if rated else None


def _drivers(
    con: duckdb.DuckDBPyConnection, params: InsightParams, bucket: dict[str, Any], label: str
) -> list[dict[str, Any]]:
    """Return the most engaged posts of sentiment ``label`` inside one bucket."""
    cte, args = filtered_posts_cte(params)
    sql = f"""
        WITH {cte}
        SELECT p.platform, p.native_id, p.author, p.created_at, p.text, p.url,
               {ENGAGEMENT} AS engagement
        FROM f p
        WHERE p.sentiment = ? AND p.created_at >= ? AND p.created_at < ?
        ORDER BY engagement DESC, p.created_at LIMIT {_DRIVERS_PER_CHANGE}
    """  # noqa: S608 - fixed fragments; values are bound
    # A time range instead of the bucket expression: the same posts, and the scan can skip
    # every row group outside the bucket.
    start = as_utc(bucket["bucket"])
    stop = start + _WIDTHS[params.bucket]
    return [post_ref(r) for r in fetch_dicts(con, sql, [*args, label, start, stop])]


def _changes(
    con: duckdb.DuckDBPyConnection, params: InsightParams, series: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Rank consecutive-bucket jumps of net sentiment and explain the largest ones."""
    jumps: list[tuple[float, dict[str, Any], dict[str, Any]]] = []
    for before, after in itertools.pairwise(series):
        if before["net"] is None or after["net"] is None:
            continue
        jumps.append((after["net"] - before["net"], before, after))
    jumps.sort(key=lambda j: -abs(j[0]))
    out = []
    for delta, before, after in jumps[: max(1, min(params.limit, 5))]:
        label = "positive" if delta > 0 else "negative"
        out.append(
            {
                "bucket": after["bucket"],
                "net_before": before["net"],
                "net_after": after["net"],
                "delta": round(delta, 4),
                "direction": label,
                "drivers": _drivers(con, params, after, label),
            }
        )
    return out


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> SentimentTrend:
    """Return sentiment and emotion per bucket with the posts behind the largest changes."""
    series = _series(con, params)
    sums = {k: sum(int(r[k]) for r in series) for k in ("posts", "positive", "neutral", "negative")}
    emotions = {e: sum(int(r[f"emotion_{e}"]) for r in series) for e in EMOTIONS}
    totals: dict[str, Any] = {
        **sums,
        "net": _net(sums["positive"], sums["negative"]),
        "emotions": emotions,
    }
    return SentimentTrend(
        totals=totals, series=tuple(series), changes=tuple(_changes(con, params, series))
    )
