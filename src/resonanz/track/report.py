"""The campaign report: reach, engagement, clicks, conversions, cost, K-factor, cascades.

K-factor (viral coefficient) = invitations per advocate × conversion rate of invitations,
i.e. conversions through referrals per advocate. Cascade statistics use the cascades insight
(``resonanz.insights.cascades.tree_metrics``) when it is installed, else size/depth/breadth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

_SPREAD = ("reply", "repost", "quote")


@dataclass(frozen=True)
class CampaignReport:
    """Everything the campaign page and report show."""

    campaign: str
    posts: int
    reach: int
    engagement: int
    clicks: int
    visitors: int
    conversions: int
    revenue: float
    budget: float | None
    cost_per_conversion: float | None
    advocates: int
    referral_clicks: int
    referral_conversions: int
    k_factor: float
    by_network: dict[str, dict[str, int]] = field(default_factory=dict)
    cascades: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def campaign_posts(con: duckdb.DuckDBPyConnection, campaign: str) -> list[tuple[str, str]]:
    """Return (platform, native_id) of our published campaign posts and matching posts."""
    rows = con.execute(
        """
        SELECT network, remote_id FROM outbox
        WHERE campaign = ? AND state = 'published' AND kind = 'post'
          AND network IN ('mastodon', 'bluesky')
        UNION
        SELECT m.platform, m.native_id FROM matches m JOIN topics t ON t.name = m.topic
        WHERE t.name = ? AND t.kind = 'campaign'
        """,
        [campaign, campaign],
    ).fetchall()
    return [(str(p), str(n)) for p, n in rows]


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> tuple[Any, ...]:
    row = con.execute(sql, params).fetchone()
    return tuple(row) if row else ()


def cascade(
    con: duckdb.DuckDBPyConnection, platform: str, root: str, limit: int = 5000
) -> dict[str, Any]:
    """Return the spread tree of one post (replies, reposts, quotes) and its statistics."""
    ids, parents, delays, authors = [root], [-1], [0.0], set()
    start = _one(
        con, "SELECT created_at FROM posts WHERE platform = ? AND native_id = ?", [platform, root]
    )
    index = {root: 0}
    frontier = [root]
    while frontier and len(ids) < limit:
        rows = con.execute(
            "SELECT DISTINCT e.target_post_id, e.post_id, e.src_author, e.created_at "
            "FROM edges e WHERE e.platform = ? AND list_contains(?, e.kind) "
            "AND list_contains(?, e.target_post_id)",
            [platform, list(_SPREAD), frontier],
        ).fetchall()
        frontier = []
        for parent, child, author, at in rows:
            if child in index:
                continue
            index[child] = len(ids)
            ids.append(child)
            parents.append(index[parent])
            authors.add(author)
            delays.append((at - start[0]).total_seconds() if start and start[0] else 0.0)
            frontier.append(child)
    try:
        from resonanz.insights.cascades import tree_metrics

        stats = dict(tree_metrics(parents, delays))
    except ImportError:
        stats = _basic_metrics(parents)
    children = len(ids) - 1
    return {
        "platform": platform,
        "root": root,
        "participants": len(authors),
        "branching": round(children / len(ids), 3),
        **stats,
    }


def _basic_metrics(parents: list[int]) -> dict[str, Any]:
    depth = [0] * len(parents)
    for i, p in enumerate(parents):
        depth[i] = 0 if p < 0 else depth[p] + 1
    breadth: dict[int, int] = {}
    for d in depth:
        breadth[d] = breadth.get(d, 0) + 1
    return {"size": len(parents), "depth": max(depth), "max_breadth": max(breadth.values())}


def campaign_report(
    con: duckdb.DuckDBPyConnection, campaign: str, budget: float | None = None
) -> CampaignReport:
    """Compute the report of one campaign (``budget`` overrides the stored one)."""
    posts = campaign_posts(con, campaign)
    keys = [f"{p}\x1f{n}" for p, n in posts]
    reach, engagement = _one(con, _REACH_SQL, [keys, list(_SPREAD)])
    clicks, visitors = _one(
        con,
        "SELECT count(*), count(DISTINCT c.visitor) FROM clicks c JOIN links l "
        "ON l.code = c.code WHERE l.campaign = ?",
        [campaign],
    )
    conversions, revenue = _one(
        con,
        "SELECT count(*), coalesce(sum(value), 0) FROM conversions WHERE campaign = ?",
        [campaign],
    )
    advocates, ref_clicks, ref_conv = _one(con, _REFERRAL_SQL, [campaign, campaign, campaign])
    stored = _one(con, "SELECT budget FROM campaigns WHERE name = ?", [campaign])
    budget = budget if budget is not None else (stored[0] if stored else None)
    by_network: dict[str, dict[str, int]] = {}
    for network, kind, count in con.execute(_BY_NETWORK_SQL, [campaign, campaign]).fetchall():
        by_network.setdefault(str(network), {"clicks": 0, "conversions": 0})[kind] = int(count)
    return CampaignReport(
        campaign=campaign,
        posts=len(posts),
        reach=int(reach or 0),
        engagement=int(engagement or 0),
        clicks=int(clicks),
        visitors=int(visitors),
        conversions=int(conversions),
        revenue=float(revenue),
        budget=budget,
        cost_per_conversion=round(budget / conversions, 2) if budget and conversions else None,
        advocates=int(advocates),
        referral_clicks=int(ref_clicks),
        referral_conversions=int(ref_conv),
        k_factor=round(ref_conv / advocates, 3) if advocates else 0.0,
        by_network=by_network,
        cascades=sorted((cascade(con, p, n) for p, n in posts), key=lambda c: -int(c["size"]))[:20],
    )


_REACH_SQL = """
    WITH __campaign_posts AS (
        SELECT split_part(k, chr(31), 1) AS platform, split_part(k, chr(31), 2) AS native_id
        FROM unnest(?::VARCHAR[]) AS t(k)
    ), spread AS (
        SELECT p.author, p.platform, coalesce(p.likes, 0) + coalesce(p.reposts, 0)
               + coalesce(p.replies, 0) AS engagement
        FROM __campaign_posts c JOIN posts p USING (platform, native_id)
    ), sharers AS (
        SELECT DISTINCT e.platform, e.src_author AS author FROM edges e
        JOIN __campaign_posts c ON c.platform = e.platform AND c.native_id = e.target_post_id
        WHERE list_contains(?, e.kind)
        UNION SELECT platform, author FROM spread
    )
    SELECT (SELECT coalesce(sum(a.followers), 0) FROM sharers s
            JOIN authors a ON a.platform = s.platform AND a.handle = s.author),
           (SELECT coalesce(sum(engagement), 0) FROM spread)
"""
_REFERRAL_SQL = """
    SELECT (SELECT count(DISTINCT advocate) FROM referrals WHERE campaign = ?),
           (SELECT count(*) FROM clicks c JOIN referrals r ON r.link_code = c.code
            WHERE r.campaign = ?),
           (SELECT count(*) FROM conversions WHERE campaign = ? AND advocate IS NOT NULL)
"""
_BY_NETWORK_SQL = """
    SELECT coalesce(l.network, 'unknown'), 'clicks', count(*) FROM clicks c
    JOIN links l ON l.code = c.code WHERE l.campaign = ? GROUP BY 1
    UNION ALL
    SELECT coalesce(network, 'unknown'), 'conversions', count(*) FROM conversions
    WHERE campaign = ? GROUP BY 1
"""
