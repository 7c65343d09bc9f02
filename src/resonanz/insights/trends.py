"""Trends: bursting terms, hashtags and entities, and the emerging clusters they form.

Burst method: the count of posts using a term in the current window is compared with the
same window (same hours of the same weekdays) in each of the ``baseline_weeks`` weeks
before, so that a weekly rhythm is not mistaken for a burst. The score is a z-score whose
variance has a Poisson floor: z = (observed − mean) / sqrt(max(variance, mean) + 1).

The window is ``params.window`` ending at ``params.until`` (default: just after the newest
post of the slice); ``params.since`` is not used, the baseline reaches back on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import duckdb

from resonanz.insights.params import InsightParams, Result, as_utc, fetch_dicts, post_filter

NAME = "trends"
WEEK_S: Final = 7 * 24 * 3600
MIN_COUNT: Final = 3
BURST_Z: Final = 3.0
CLUSTER_JACCARD: Final = 0.2
#: Function words that never make a trend (German and English).
_STOP_TEXT: Final = (
    "the and for with that this you your are was were have has had not but all can our out "
    "just get got from they them their there what when who how why will would about into "
    "than then its it's also more some very really been being any one which she him her "
    "his don doesn didn isn won can https http www com amp "
    "der die das und ist ich nicht ein eine einen einem einer mit auf für von den dem des "
    "sie wir ihr sich auch noch nur wie was wer aber oder wenn dann schon mal bei aus "
    "nach vor über unter zum zur sind war hat haben mein meine dein deine kein keine "
    "doch man mir mich dir dich uns euch hier jetzt immer sehr mehr heute gibt geht"
)
STOPWORDS: Final = sorted(set(_STOP_TEXT.split()))
_TOKENS = r"[^\p{L}\p{N}]+"
# Runs of two or more capitalised words ("Acme Phone"): a cheap proper-name heuristic that
# works for German too, where every noun is capitalised but names still come in runs.
_ENTITY = r"\p{Lu}[\p{L}\p{N}]+(?:[ ]+\p{Lu}[\p{L}\p{N}]+)+"


@dataclass(frozen=True)
class Trends(Result):
    """Bursting items of the window ending at ``until``, and their co-occurrence clusters."""

    window_start: datetime
    until: datetime
    baseline_weeks: int
    bursts: tuple[dict[str, Any], ...]
    clusters: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per bursting item."""
        return [dict(r) for r in self.bursts]


def _end(con: duckdb.DuckDBPyConnection, params: InsightParams) -> datetime:
    if params.until is not None:
        return params.until
    where, args = post_filter(params.replace(since=None))
    row = con.execute(f"SELECT max(p.created_at) FROM posts p WHERE {where}", args).fetchone()  # noqa: S608
    if row is None or row[0] is None:
        return datetime.now().astimezone()
    return as_utc(row[0]) + timedelta(microseconds=1)


def _items_cte(params: InsightParams, until: datetime) -> tuple[str, list[object]]:
    """Return CTEs ``w`` (posts with week offset k) and ``items`` (post, k, kind, term)."""
    start = until - timedelta(weeks=params.baseline_weeks) - params.window
    where, args = post_filter(params.replace(since=start, until=until))
    win = params.window.total_seconds()
    sql = f"""
        w0 AS (
            SELECT p.platform, p.native_id, p.text, p.hashtags, p.mentions,
                   epoch(?::TIMESTAMPTZ) - epoch(p.created_at) AS age
            FROM posts p WHERE {where}
        ),
        w AS (
            SELECT *, floor(age / {WEEK_S})::INTEGER AS k FROM w0
            WHERE age - floor(age / {WEEK_S}) * {WEEK_S} < {win}
        ),
        clean AS (
            SELECT platform, native_id, k, hashtags, mentions,
                   regexp_replace(text, 'https?://\\S+', ' ', 'g') AS body
            FROM w
        ),
        items AS (
            SELECT DISTINCT platform, native_id, k, kind, term FROM (
                SELECT platform, native_id, k, 'term' AS kind,
                       UNNEST(regexp_split_to_array(lower(body), '{_TOKENS}')) AS term
                FROM clean
                UNION ALL
                SELECT platform, native_id, k, 'hashtag', '#' || lower(UNNEST(hashtags))
                FROM clean
                UNION ALL
                SELECT platform, native_id, k, 'entity', '@' || lower(UNNEST(mentions))
                FROM clean
                UNION ALL
                SELECT platform, native_id, k, 'entity',
                       UNNEST(regexp_extract_all(body, '{_ENTITY}'))
                FROM clean
            )
            WHERE length(term) >= 3 AND NOT list_contains(?, lower(term))
              AND NOT regexp_full_match(term, '[0-9#@]+')
        )
    """  # noqa: S608 - fixed fragments; values are bound
    return sql, [until, *args, STOPWORDS]


def _bursts(
    con: duckdb.DuckDBPyConnection, params: InsightParams, until: datetime
) -> list[dict[str, Any]]:
    cte, args = _items_cte(params, until)
    weeks = max(1, params.baseline_weeks)
    sql = f"""
        WITH {cte},
        counts AS (SELECT kind, term, k, count(*) AS n FROM items GROUP BY ALL)
        SELECT kind, term,
               sum(n) FILTER (WHERE k = 0) AS observed,
               coalesce(sum(n) FILTER (WHERE k > 0), 0) / {weeks} AS mean,
               coalesce(sum(n * n) FILTER (WHERE k > 0), 0) / {weeks} AS square
        FROM counts GROUP BY kind, term
        HAVING sum(n) FILTER (WHERE k = 0) >= {MIN_COUNT}
    """  # noqa: S608 - fixed fragments; values are bound
    rows = fetch_dicts(con, sql, args)
    out = []
    for row in rows:
        mean = float(row["mean"])
        var = max(float(row["square"]) - mean * mean, mean)
        observed = int(row["observed"])
        z = (observed - mean) / (var + 1.0) ** 0.5
        if z >= BURST_Z:
            out.append(
                {
                    "kind": row["kind"],
                    "term": row["term"],
                    "observed": observed,
                    "expected": round(mean, 3),
                    "z": round(z, 3),
                    "ratio": round((observed + 1) / (mean + 1), 3),
                }
            )
    out.sort(key=lambda r: (-r["z"], r["term"]))
    return out[: max(params.limit, 1) * 3]


def _clusters(
    con: duckdb.DuckDBPyConnection,
    params: InsightParams,
    until: datetime,
    bursts: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Group bursting items that share posts (Jaccard ≥ threshold) into labelled clusters."""
    terms = [b["term"] for b in bursts]
    if len(terms) < 2:
        return []
    cte, args = _items_cte(params, until)
    sql = f"""
        WITH {cte}
        SELECT term, list(platform || ':' || native_id) AS posts
        FROM items WHERE k = 0 AND list_contains(?, term) GROUP BY term
    """  # noqa: S608 - fixed fragments; values are bound
    posts = {str(r["term"]): set(r["posts"]) for r in fetch_dicts(con, sql, [*args, terms])}
    parent = {t: t for t in posts}

    def root(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    names = sorted(posts)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = len(posts[a] & posts[b])
            if shared and shared / len(posts[a] | posts[b]) >= CLUSTER_JACCARD:
                parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for t in terms:
        if t in posts:
            groups.setdefault(root(t), []).append(t)
    clusters: list[dict[str, Any]] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        covered = set().union(*(posts[t] for t in members))
        words = list(dict.fromkeys(m.lstrip("#@").lower() for m in members))
        label = " · ".join(words[:3])
        clusters.append({"label": label, "terms": members, "posts": len(covered)})
    clusters.sort(key=lambda c: -int(c["posts"]))
    return clusters[: params.limit]


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Trends:
    """Find what bursts in the window ending at ``until`` against its weekly baseline."""
    until = _end(con, params)
    bursts = _bursts(con, params, until)
    return Trends(
        window_start=until - params.window,
        until=until,
        baseline_weeks=params.baseline_weeks,
        bursts=tuple(bursts[: params.limit]),
        clusters=tuple(_clusters(con, params, until, bursts)),
    )
