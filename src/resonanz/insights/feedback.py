"""Product feedback: aspects ranked by volume × negativity, their trend, ours vs competitors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import duckdb

from resonanz.insights.keys import key_usable, match_condition
from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    fetch_dicts,
    post_filter,
    post_ref,
    topic_kinds,
)

NAME = "feedback"
OURS = "ours"
_EXAMPLES = 3


@dataclass(frozen=True)
class Feedback(Result):
    """Aspect rankings for our side and for each competitor topic.

    ``aspects`` ranks our aspects by ``score`` = ln(1 + mentions) × smoothed negative share
    ((negative + 1) / (mentions + 2)), so much-discussed and mostly-negative aspects lead.
    ``trend`` is the negative share in the second half of the period minus the first half.
    ``comparison`` puts each aspect's negative share for us beside each competitor's.
    """

    aspects: tuple[dict[str, Any], ...]
    competitors: dict[str, tuple[dict[str, Any], ...]]
    comparison: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return our ranked aspects (without example posts)."""
        return [{k: v for k, v in r.items() if k != "examples"} for r in self.aspects]


def _side_sql(con: duckdb.DuckDBPyConnection, keyed: bool) -> tuple[str, str]:
    """Return the FROM/side expression that assigns aspect mentions to ours or a competitor
    (``keyed``: ``a`` carries the post key, see :mod:`resonanz.insights.keys`)."""
    kinds = set(topic_kinds(con).values())
    if not kinds & {"brand", "product"}:
        # Without brand or product topics every post in the slice counts as ours.
        return "a", f"'{OURS}'"
    join = (
        f"a JOIN matches m ON {match_condition(keyed, 'a')} "
        "JOIN topics t ON t.name = m.topic AND t.kind IN ('brand', 'product', 'competitor')"
    )
    return join, f"CASE WHEN t.kind = 'competitor' THEN m.topic ELSE '{OURS}' END"


def _aspect_rows(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[dict[str, Any]]:
    where, args = post_filter(params)
    keyed = key_usable(con)
    source, side = _side_sql(con, keyed)
    # The filter is repeated rather than shared through a CTE, which DuckDB would
    # materialise with every column of the posts.
    sql = f"""
        WITH a AS (
            SELECT p.platform, p.native_id, {"p.post_key, " if keyed else ""}p.created_at,
                   UNNEST(p.aspects) AS asp
            FROM posts p WHERE {where} AND len(p.aspects) > 0
        ),
        span AS (
            SELECT min(created_at) + (max(created_at) - min(created_at)) / 2 AS mid
            FROM posts p WHERE {where}
        ),
        s AS (
            SELECT DISTINCT {side} AS side, a.platform, a.native_id, a.created_at,
                   a.asp.category AS category, a.asp.polarity AS polarity
            FROM {source}
        )
        SELECT side, category, count(*) AS mentions,
               count(*) FILTER (WHERE polarity = 'negative') AS negative,
               count(*) FILTER (WHERE polarity = 'positive') AS positive,
               count(*) FILTER (WHERE created_at < span.mid) AS early,
               count(*) FILTER (WHERE created_at < span.mid AND polarity = 'negative')
                   AS early_negative
        FROM s, span GROUP BY side, category
    """  # noqa: S608 - fixed fragments; values are bound
    rows = fetch_dicts(con, sql, [*args, *args])
    for row in rows:
        _score(row)
    rows.sort(key=lambda r: (-r["score"], r["category"]))
    return rows


def _score(row: dict[str, Any]) -> None:
    mentions, negative = int(row["mentions"]), int(row["negative"])
    early, early_neg = int(row.pop("early")), int(row.pop("early_negative"))
    late, late_neg = mentions - early, negative - early_neg
    row["negative_share"] = round(negative / mentions, 4) if mentions else 0.0
    row["score"] = round(math.log1p(mentions) * (negative + 1) / (mentions + 2), 4)
    row["trend"] = round(late_neg / late - early_neg / early, 4) if early and late else None


def _examples(
    con: duckdb.DuckDBPyConnection, params: InsightParams, categories: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Return the most engaged posts per aspect category, negative mentions first."""
    if not categories:
        return {}
    where, args = post_filter(params)
    marks = ", ".join("?" for _ in categories)
    # Pick the examples on narrow rows; only the winners fetch their text.
    sql = f"""
        WITH a AS (
            SELECT p.platform, p.native_id, {ENGAGEMENT} AS engagement,
                   UNNEST(p.aspects) AS asp
            FROM posts p WHERE {where} AND len(p.aspects) > 0
        ),
        -- The first few by (negative first, most engaged, native id): a bounded min_by per
        -- category instead of sorting every mention.
        best AS (
            SELECT asp.category AS category,
                   min_by({{'platform': platform, 'native_id': native_id, 'e': engagement}},
                          {{'neg': asp.polarity <> 'negative', 'e': -engagement, 'id': native_id}},
                          {_EXAMPLES}) AS found
            FROM a WHERE asp.category IN ({marks}) GROUP BY 1
        ),
        top AS (
            SELECT category, UNNEST(found) AS t, generate_subscripts(found, 1) AS n FROM best
        )
        SELECT top.category, p.platform, p.native_id, p.author, p.created_at, p.text, p.url,
               top.t.e AS engagement
        FROM top JOIN posts p ON p.platform = top.t.platform AND p.native_id = top.t.native_id
        ORDER BY top.category, top.n
    """  # noqa: S608 - fixed fragments; values are bound
    out: dict[str, list[dict[str, Any]]] = {}
    for row in fetch_dicts(con, sql, [*args, *categories]):
        out.setdefault(str(row["category"]), []).append(post_ref(row))
    return out


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Feedback:
    """Rank aspects for us and each competitor and compare their negative shares."""
    rows = _aspect_rows(con, params)
    ours = [r for r in rows if r["side"] == OURS][: params.limit]
    examples = _examples(con, params, [str(r["category"]) for r in ours])
    aspects = tuple(
        {**{k: v for k, v in r.items() if k != "side"}, "examples": examples.get(r["category"], [])}
        for r in ours
    )
    competitors: dict[str, tuple[dict[str, Any], ...]] = {}
    for row in rows:
        if row["side"] != OURS:
            entry = {k: v for k, v in row.items() if k != "side"}
            competitors[str(row["side"])] = (*competitors.get(str(row["side"]), ()), entry)
    comparison = []
    for category in sorted({str(r["category"]) for r in rows}):
        line: dict[str, Any] = {"category": category}
        for row in rows:
            if row["category"] == category:
                line[f"{row['side']}_mentions"] = row["mentions"]
                line[f"{row['side']}_negative_share"] = row["negative_share"]
        comparison.append(line)
    return Feedback(aspects=aspects, competitors=competitors, comparison=tuple(comparison))
