"""Response times: how fast our accounts answer questions and complaints addressed to us.

A post is addressed to us when it mentions one of our accounts, replies to one of our posts,
or arrived as a notification of one of our accounts. Its first response is the earliest
reply to it by any of our accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

import duckdb

from resonanz.insights.params import (
    InsightParams,
    Result,
    as_utc,
    fetch_dicts,
    handle_sql,
    own_accounts,
    post_filter,
    post_ref,
)

NAME = "response-times"


@dataclass(frozen=True)
class ResponseTimes(Result):
    """Time to first response overall, per network and per responder, and who still waits.

    Minutes are wall-clock minutes; ``within_target`` is the share of all questions in the
    slice answered within the target (unanswered ones count as missed).
    """

    as_of: datetime
    target_minutes: float
    totals: dict[str, Any]
    by_network: tuple[dict[str, Any], ...]
    by_responder: tuple[dict[str, Any], ...]
    oldest_waiting: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per network."""
        return [dict(r) for r in self.by_network]


def _questions(
    con: duckdb.DuckDBPyConnection, params: InsightParams, as_of: datetime
) -> list[dict[str, Any]]:
    where, args = post_filter(params)
    mine = own_accounts(con, params)
    # Our own posts are found in one pass and reused for both "replies to our post" and
    # "our responses"; questions are narrowed to question/complaint posts in the scan itself,
    # so the address checks (mentions, replies, notifications) run on those few rows only.
    sql = f"""
        WITH own AS (SELECT UNNEST(?::VARCHAR[]) AS platform, UNNEST(?::VARCHAR[]) AS handle),
        ours AS (
            SELECT t.platform, t.native_id, t.reply_to, t.created_at,
                   {handle_sql("t.author")} AS responder
            FROM posts t SEMI JOIN own o
              ON o.platform = t.platform AND o.handle = {handle_sql("t.author")}
        ),
        c AS (
            SELECT p.platform, p.native_id, p.author, p.created_at, p.text, p.url, p.intents,
                   p.mentions, p.reply_to
            FROM posts p
            WHERE {where}
              AND (list_contains(p.intents, 'question') OR list_contains(p.intents, 'complaint'))
        ),
        q AS (
            SELECT c.* FROM c
            WHERE NOT EXISTS (SELECT 1 FROM own o
                              WHERE o.platform = c.platform AND o.handle = {handle_sql("c.author")})
              AND (
                EXISTS (SELECT 1 FROM own o, UNNEST(c.mentions) AS m(x)
                        WHERE o.platform = c.platform
                          AND (lower(ltrim(m.x, '@')) = o.handle
                               OR split_part(lower(ltrim(m.x, '@')), '@', 1)
                                  = split_part(o.handle, '@', 1)))
                OR (c.platform, c.reply_to) IN (SELECT (platform, native_id) FROM ours)
                OR (c.platform, c.native_id) IN (
                    SELECT (n.platform, n.post_native_id) FROM notifications n
                    WHERE n.kind IN ('mention', 'reply', 'quote'))
              )
        ),
        r AS (
            SELECT platform, reply_to, responder, created_at FROM ours
            WHERE reply_to IS NOT NULL AND created_at < ?
        )
        SELECT q.platform, q.native_id, q.author, q.created_at, q.text, q.url, q.intents,
               arg_min(r.responder, r.created_at) AS responder,
               min(r.created_at) AS answered_at
        FROM q LEFT JOIN r
          ON r.platform = q.platform AND r.reply_to = q.native_id
         AND r.created_at >= q.created_at
        GROUP BY ALL ORDER BY q.created_at
    """  # noqa: S608 - fixed fragments; values are bound
    platforms = [p for p, _ in mine]
    handles = [h for _, h in mine]
    return fetch_dicts(con, sql, [platforms, handles, *args, as_of])


def _stats(items: list[dict[str, Any]], target_min: float) -> dict[str, Any]:
    waits = [float(i["minutes"]) for i in items if i["minutes"] is not None]
    ordered = sorted(waits)
    return {
        "questions": len(items),
        "answered": len(waits),
        "median_minutes": round(median(ordered), 1) if ordered else None,
        "p90_minutes": round(ordered[int(0.9 * (len(ordered) - 1))], 1) if ordered else None,
        "within_target": round(sum(w <= target_min for w in waits) / len(items), 4)
        if items
        else None,
    }


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> ResponseTimes:
    """Measure time to first response and list the questions still waiting, oldest first."""
    as_of = params.until or datetime.now(UTC)
    target_min = params.target.total_seconds() / 60.0
    items = _questions(con, params, as_of)
    for item in items:
        answered = item["answered_at"]
        item["minutes"] = (
            (answered - item["created_at"]).total_seconds() / 60.0 if answered else None
        )
    by_network = [
        {"platform": net, **_stats([i for i in items if i["platform"] == net], target_min)}
        for net in sorted({str(i["platform"]) for i in items})
    ]
    by_responder = [
        {"responder": who, **_stats([i for i in items if i["responder"] == who], target_min)}
        for who in sorted({str(i["responder"]) for i in items if i["responder"]})
    ]
    waiting = [
        {
            **post_ref(i),
            "intents": list(i["intents"] or []),
            "waiting_hours": round((as_of - as_utc(i["created_at"])).total_seconds() / 3600, 2),
        }
        for i in items
        if i["answered_at"] is None
    ]
    return ResponseTimes(
        as_of=as_of,
        target_minutes=target_min,
        totals={**_stats(items, target_min), "waiting": len(waiting)},
        by_network=tuple(by_network),
        by_responder=tuple(by_responder),
        oldest_waiting=tuple(waiting[: params.limit]),
    )
