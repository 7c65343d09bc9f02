"""What an alert says: what spiked and by how much, top terms and aspects, sentiment, and
the most influential posts and authors of the window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import duckdb

from resonanz.alerts.rules import Firing
from resonanz.insights import trends
from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    fetch_dicts,
    filtered_posts_cte,
    post_ref,
)

TOP = 5
_WHAT = {
    "volume": "posts",
    "negative_volume": "negative posts",
    "negative_share": "share of negative posts",
}


def summarize(con: duckdb.DuckDBPyConnection, firing: Firing) -> dict[str, Any]:
    """Return the JSON-ready summary of one firing."""
    params = InsightParams(
        since=firing.window_start, until=firing.window_end, topics=firing.topics, limit=TOP
    )
    cte, args = filtered_posts_cte(params)
    sentiment = fetch_dicts(
        con,
        f"WITH {cte} SELECT coalesce(p.sentiment, 'unknown') AS sentiment, count(*) AS posts "  # noqa: S608
        "FROM f p GROUP BY ALL ORDER BY posts DESC",
        args,
    )
    aspects = fetch_dicts(
        con,
        f"""WITH {cte}, a AS (SELECT UNNEST(p.aspects) AS asp FROM f p WHERE len(p.aspects) > 0)
            SELECT asp.category AS aspect, count(*) AS mentions,
                   count(*) FILTER (WHERE asp.polarity = 'negative') AS negative
            FROM a GROUP BY ALL ORDER BY negative DESC, mentions DESC, aspect LIMIT {TOP}""",  # noqa: S608
        args,
    )
    posts = fetch_dicts(
        con,
        f"""WITH {cte}
            SELECT p.platform, p.native_id, p.author, p.created_at, p.text, p.url,
                   {ENGAGEMENT} AS engagement, coalesce(a.followers, 0) AS followers
            FROM f p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
            ORDER BY engagement + followers / 100 DESC, p.created_at LIMIT {TOP}""",  # noqa: S608
        args,
    )
    authors = fetch_dicts(
        con,
        f"""WITH {cte}
            SELECT * FROM (
                SELECT p.platform, p.author AS handle, count(*) AS posts,
                       max(coalesce(a.followers, 0)) AS reach, sum({ENGAGEMENT}) AS engagement
                FROM f p LEFT JOIN authors a ON a.platform = p.platform AND a.handle = p.author
                WHERE p.author IS NOT NULL GROUP BY p.platform, p.author
            ) ORDER BY reach + engagement * 10 DESC, posts DESC, handle LIMIT {TOP}""",  # noqa: S608
        args,
    )
    terms = trends.compute(
        con, params.replace(window=firing.window_end - firing.window_start, since=None)
    )
    return {
        "headline": headline(firing),
        "what": _WHAT[firing.detector],
        "topics": list(firing.topics),
        "window_start": firing.window_start.isoformat(),
        "window_end": firing.window_end.isoformat(),
        "observed": round(firing.observed, 4),
        "expected": round(firing.expected, 4),
        "ratio": round((firing.observed + 1e-9) / firing.expected, 2) if firing.expected else None,
        "score": round(firing.score, 2),
        "top_terms": [b["term"] for b in terms.bursts[:TOP]],
        "top_aspects": aspects,
        "sentiment": {str(r["sentiment"]): int(r["posts"]) for r in sentiment},
        "top_posts": [{**post_ref(p), "followers": int(p["followers"])} for p in posts],
        "top_authors": authors,
    }


def headline(firing: Firing) -> str:
    """Return one line saying what spiked and by how much."""
    about = ", ".join(firing.topics) or "all posts"
    width = firing.window_end - firing.window_start
    hours = width / timedelta(hours=1)
    if firing.detector == "negative_share":
        amount = f"{firing.observed:.0%} (usually {firing.expected:.0%})"
    else:
        amount = f"{firing.observed:.0f} (usually {firing.expected:.1f})"
    return (
        f"[{firing.rule}] {_WHAT[firing.detector]} about {about} spiked to {amount} "
        f"in the {hours:g} h from {firing.window_start:%Y-%m-%d %H:%M} UTC"
    )
