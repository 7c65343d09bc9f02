"""Goals overview: awareness, retention and acquisition KPIs per time bucket.

- awareness: mentions of our brand/products by others, their reach, our share of voice;
- retention: engagement our own posts received, net sentiment of existing customers;
- acquisition: purchase-intent posts about us, new followers, tracked conversions (when the
  workspace tracks them).

Filters: every post KPI takes the whole slice (time window, topics, platforms, languages).
New followers (``follow`` notifications of our accounts) and conversions take the time
window and the platform filter (a conversion's ``network``; one without a known network is
left out while a platform filter is set). Languages and topics do not apply to them: a
follow or a purchase carries no text, so they are counted whatever those filters say.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from resonanz.insights.keys import key_usable, match_condition
from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    as_utc,
    bucket_sql,
    fetch_dicts,
    handle_sql,
    own_accounts,
    post_filter,
    topic_kinds,
)

NAME = "goals"
_KPIS = (
    "mentions",
    "reach",
    "share_of_voice",
    "own_engagement",
    "customer_net_sentiment",
    "purchase_intent",
    "new_followers",
    "conversions",
)


@dataclass(frozen=True)
class Goals(Result):
    """KPI series per bucket and their totals over the whole slice."""

    totals: dict[str, Any]
    series: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per bucket."""
        return [dict(r) for r in self.series]


def _post_kpis(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[dict[str, Any]]:
    where, args = post_filter(params)
    kinds = topic_kinds(con)
    ours = [t for t, k in kinds.items() if k in ("brand", "product")]
    rivals = [t for t, k in kinds.items() if k == "competitor"]
    mine = own_accounts(con, params)
    keyed = key_usable(con)
    own, own_args = _own_sql(mine)
    # Only the rows about us need the author (reach, customers): the others join with a
    # NULL handle, which the hash join skips without a lookup. Every post is reduced to
    # its bucket and a few flags before the join, so that no text or list goes through it.
    sql = f"""
        WITH t AS (
            SELECT p.platform, p.author, p.sentiment, p.intents,
                   {bucket_sql(params)} AS bucket,
                   {ENGAGEMENT} AS engagement, {own} AS own,
                   {_about_sql(ours, "TRUE", keyed)} AS about_us,
                   {_about_sql(rivals, "FALSE", keyed)} AS about_rival
            FROM posts p WHERE {where}
        ),
        u AS (
            SELECT platform, bucket, CASE WHEN about_us THEN author END AS handle,
                   about_us AND NOT own AS mention, about_rival AND NOT own AS rival,
                   CASE WHEN own THEN engagement END AS own_engagement,
                   about_us AND sentiment = 'positive' AS us_pos,
                   about_us AND sentiment = 'negative' AS us_neg,
                   about_us AND NOT own AND list_contains(intents, 'purchase_intent') AS purchase
            FROM t
        )
        SELECT u.bucket,
               count(*) FILTER (WHERE mention) AS mentions,
               coalesce(sum(a.followers) FILTER (WHERE mention), 0) AS reach,
               count(*) FILTER (WHERE rival) AS rival_mentions,
               coalesce(sum(own_engagement), 0) AS own_engagement,
               count(*) FILTER (WHERE us_pos AND a.stakeholder = 'customer') AS cust_pos,
               count(*) FILTER (WHERE us_neg AND a.stakeholder = 'customer') AS cust_neg,
               count(*) FILTER (WHERE purchase) AS purchase_intent
        FROM u LEFT JOIN authors a ON a.platform = u.platform AND a.handle = u.handle
        GROUP BY u.bucket ORDER BY u.bucket
    """  # noqa: S608 - fixed fragments; values are bound
    topics = [t for t in (ours, rivals) if t]
    return fetch_dicts(con, sql, [*own_args, *topics, *args])


def _own_sql(mine: list[tuple[str, str]]) -> tuple[str, list[object]]:
    """Return the SQL of "p is a post of our own accounts ``mine``" and its parameters.

    Lower-casing every author costs more than a scan of the table, so a test of the length
    comes first (lower-casing keeps the number of characters, and only a leading ``@`` is
    trimmed); only the few rows passing it need the whole handle. A CASE runs the whole
    test only on those rows (in a projection an AND computes both sides on every row). It
    gives what ``quick AND whole`` gives: NULL for a post without author, FALSE for every
    post when there are no accounts.
    """
    if not mine:
        return "FALSE", []
    handle = handle_sql("p.author")
    lengths = sorted({len(h) for _, h in mine})
    quick = "starts_with(p.author, '@') OR list_contains(?::BIGINT[], length(p.author))"
    whole = (
        f"list_contains(?::VARCHAR[], {handle}) "
        f"AND list_contains(?::VARCHAR[], p.platform || ' ' || {handle})"
    )
    sql = f"CASE WHEN p.author IS NULL THEN NULL WHEN {quick} THEN {whole} ELSE FALSE END"
    return f"({sql})", [lengths, [h for _, h in mine], [f"{p} {h}" for p, h in mine]]


def _about_sql(topics: list[str], none: str, keyed: bool) -> str:
    """Return the SQL of "p is matched to one of ``topics``" (one parameter: the topics),
    or the fixed value ``none`` when there are no topics.

    On the text key a plain correlated EXISTS becomes a mark join on the two key columns,
    which is faster than comparing (platform, native_id) rows, and far faster than an
    EXISTS inside an OR (planned as a join with every distinct post key). On the numeric
    key (``keyed``, see :mod:`resonanz.insights.keys`) the correlated form is planned as a
    join with every distinct key; an IN over the one column becomes the mark join.
    """
    if not topics:
        return none
    if keyed:
        return (
            "p.post_key IN (SELECT post_key FROM matches WHERE list_contains(?::VARCHAR[], topic))"
        )
    return (
        f"EXISTS (SELECT 1 FROM matches m WHERE {match_condition(keyed)} "  # noqa: S608
        "AND list_contains(?::VARCHAR[], m.topic))"
    )


def _counted(
    con: duckdb.DuckDBPyConnection,
    params: InsightParams,
    table: str,
    at: str,
    where: str,
    platform: str,
) -> dict[Any, int]:
    """Count rows of a timestamped table per bucket within the window and the platform
    filter (column ``platform``), if the table exists."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    clauses: list[str] = [where]
    args: list[object] = []
    if params.since is not None:
        clauses.append(f"{at} >= ?")
        args.append(params.since)
    if params.until is not None:
        clauses.append(f"{at} < ?")
        args.append(params.until)
    if params.platforms:
        clauses.append(f"{platform} IN ({', '.join('?' for _ in params.platforms)})")
        args.extend(params.platforms)
    sql = (
        f"SELECT time_bucket(INTERVAL '{params.interval}', {at} AT TIME ZONE 'UTC'), "  # noqa: S608
        f"count(*) FROM {table} WHERE {' AND '.join(clauses)} GROUP BY 1"
    )
    return {row[0]: int(row[1]) for row in con.execute(sql, args).fetchall()}


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Goals:
    """Return awareness, retention and acquisition KPIs per bucket."""
    posts = {row["bucket"]: row for row in _post_kpis(con, params)}
    follows = _counted(con, params, "notifications", "created_at", "kind = 'follow'", "platform")
    conversions = _counted(con, params, "conversions", "converted_at", "TRUE", "network")
    series: list[dict[str, Any]] = []
    for bucket in sorted(set(posts) | set(follows) | set(conversions)):
        row = posts.get(bucket, {})
        mentions, rivals = int(row.get("mentions") or 0), int(row.get("rival_mentions") or 0)
        pos, neg = int(row.get("cust_pos") or 0), int(row.get("cust_neg") or 0)
        series.append(
            {
                "bucket": as_utc(bucket),
                "mentions": mentions,
                "reach": int(row.get("reach") or 0),
                "share_of_voice": round(mentions / (mentions + rivals), 4) if rivals else None,
                "own_engagement": int(row.get("own_engagement") or 0),
                "customer_net_sentiment": round((pos - neg) / (pos + neg), 4)
                if pos + neg
                else None,
                "purchase_intent": int(row.get("purchase_intent") or 0),
                "new_followers": follows.get(bucket, 0),
                "conversions": conversions.get(bucket, 0),
            }
        )
    totals: dict[str, Any] = {
        k: sum(int(r[k]) for r in series)
        for k in _KPIS
        if k not in ("share_of_voice", "customer_net_sentiment")
    }
    return Goals(totals=totals, series=tuple(series))
