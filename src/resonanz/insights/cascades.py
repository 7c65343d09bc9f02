"""Viral cascades: repost/reply trees with size, depth, breadth, speed and structural virality.

Structural virality is the mean shortest-path distance between all pairs of nodes of the
tree (Goel, Anderson, Hofman, Watts 2016): a broadcast (one hub, many leaves) scores near 2,
a long person-to-person chain scores high. It is computed in O(n) from subtree sizes via
the Wiener index: W = Σ_edges s·(n − s), mean distance = W / C(n, 2).

The early-warning score looks only at a cascade's first hour: how many joined, how many
joined in the second half of that hour (is it still accelerating?) and how deep it got.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import duckdb

from resonanz.insights.params import (
    InsightParams,
    Result,
    as_utc,
    fetch_dicts,
    filtered_posts_cte,
)

NAME = "cascades"
HOUR_S: Final = 3600.0
MAX_DEPTH: Final = 64
#: An early score at or above this flags a cascade as likely to become large (see the
#: Twitter16 evaluation in ``resonanz.insights.cascade_eval``).
EARLY_ALERT: Final = 9.0


@dataclass(frozen=True)
class Cascades(Result):
    """Cascades of at least ``min_size`` posts, ranked by structural virality."""

    cascades: tuple[dict[str, Any], ...]
    count: int

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per cascade."""
        return [dict(r) for r in self.cascades]


def depths(parents: Sequence[int]) -> list[int]:
    """Return each node's depth; ``parents[i]`` is the index of i's parent or -1 for a root.

    >>> depths([-1, 0, 1, 0])
    [0, 1, 2, 1]
    """
    out = [-1] * len(parents)
    for start in range(len(parents)):
        path: list[int] = []
        node = start
        while node >= 0 and out[node] < 0 and len(path) <= len(parents):
            path.append(node)
            node = parents[node]
        base = out[node] if node >= 0 else -1
        for offset, member in enumerate(reversed(path), start=1):
            out[member] = base + offset
    return out


def structural_virality(parents: Sequence[int], node_depths: Sequence[int] | None = None) -> float:
    """Return the mean pairwise distance of a tree given as parent indices.

    >>> structural_virality([-1, 0, 0, 0])  # a star of 4: 3 pairs at 1, 3 at 2
    1.5
    >>> structural_virality([-1, 0, 1, 2])  # a chain of 4
    1.6666666666666667
    """
    n = len(parents)
    if n < 2:
        return 0.0
    level = node_depths if node_depths is not None else depths(parents)
    subtree = [1] * n
    for node in sorted(range(n), key=lambda i: -level[i]):
        if parents[node] >= 0:
            subtree[parents[node]] += subtree[node]
    wiener = sum(subtree[i] * (n - subtree[i]) for i in range(n) if parents[i] >= 0)
    return wiener / (n * (n - 1) / 2)


def early_score(delays_s: Sequence[float], node_depths: Sequence[int]) -> float:
    """Score a cascade's first hour: ln(1+joined) + ½·ln(1+joined in 2nd half) + ½·ln(1+depth).

    ``delays_s`` are seconds after the root post, one per node (the root included).
    """
    joined = sum(1 for d in delays_s if 0 < d <= HOUR_S)
    late = sum(1 for d in delays_s if HOUR_S / 2 < d <= HOUR_S)
    deepest = max((z for d, z in zip(delays_s, node_depths, strict=True) if d <= HOUR_S), default=0)
    return math.log1p(joined) + 0.5 * math.log1p(late) + 0.5 * math.log1p(deepest)


def tree_metrics(parents: Sequence[int], delays_s: Sequence[float]) -> dict[str, Any]:
    """Return size, depth, max breadth, speed, structural virality and early score of a tree."""
    level = depths(parents)
    per_level: dict[int, int] = {}
    for z in level:
        per_level[z] = per_level.get(z, 0) + 1
    ordered = sorted(delays_s)
    half = ordered[(len(ordered) - 1) // 2] if ordered else 0.0
    return {
        "size": len(parents),
        "depth": max(level, default=0),
        "max_breadth": max(per_level.values(), default=0),
        "structural_virality": round(structural_virality(parents, level), 4),
        "hours_to_half": round(max(half, 0.0) / HOUR_S, 3),
        "first_hour_size": sum(1 for d in delays_s if d <= HOUR_S),
        "early_score": round(early_score(delays_s, level), 4),
    }


def _nodes(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[dict[str, Any]]:
    """Return every node of every cascade (rooted in the slice) of at least min_size posts."""
    cte, args = filtered_posts_cte(params)
    until = "AND c.created_at < ?" if params.until is not None else ""
    sql = f"""
        WITH RECURSIVE {cte},
        links AS (
            SELECT c.platform, c.native_id, c.created_at,
                   coalesce(c.repost_of, c.reply_to, c.quote_of) AS parent
            FROM posts c WHERE coalesce(c.repost_of, c.reply_to, c.quote_of) IS NOT NULL {until}
        ),
        roots AS (
            SELECT p.platform, p.native_id, p.created_at FROM f p
            WHERE coalesce(p.repost_of, p.reply_to, p.quote_of) IS NULL
              AND EXISTS (SELECT 1 FROM links l
                          WHERE l.platform = p.platform AND l.parent = p.native_id)
        ),
        tree(platform, root, native_id, parent, depth, created_at) AS (
            SELECT platform, native_id, native_id, NULL::VARCHAR, 0, created_at FROM roots
            UNION ALL
            SELECT l.platform, t.root, l.native_id, t.native_id, t.depth + 1, l.created_at
            FROM tree t JOIN links l ON l.platform = t.platform AND l.parent = t.native_id
            WHERE t.depth < {MAX_DEPTH}
        )
        SELECT platform, root, native_id, parent, depth, created_at FROM tree
        QUALIFY count(*) OVER (PARTITION BY platform, root) >= ?
        ORDER BY platform, root, depth, created_at
    """  # noqa: S608 - fixed fragments; values are bound
    extra: list[object] = [params.until] if params.until is not None else []
    return fetch_dicts(con, sql, [*args, *extra, max(params.min_size, 2)])


def _measure(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Measure one cascade from its node rows (root first)."""
    index = {str(n["native_id"]): i for i, n in enumerate(nodes)}
    parents = [index.get(str(n["parent"]), -1) if n["parent"] is not None else -1 for n in nodes]
    start: datetime = nodes[0]["created_at"]
    delays = [max((n["created_at"] - start).total_seconds(), 0.0) for n in nodes]
    metrics = tree_metrics(parents, delays)
    metrics["early_alert"] = metrics["early_score"] >= EARLY_ALERT
    return metrics


def _roots(
    con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    if not keys:
        return {}
    sql = """
        SELECT p.platform, p.native_id, p.author, p.text, p.url, p.created_at
        FROM posts p JOIN (SELECT UNNEST(?) AS platform, UNNEST(?) AS native_id) k
          ON k.platform = p.platform AND k.native_id = p.native_id
    """
    rows = fetch_dicts(con, sql, [[k[0] for k in keys], [k[1] for k in keys]])
    return {(str(r["platform"]), str(r["native_id"])): r for r in rows}


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Cascades:
    """Rebuild cascades rooted in the slice and rank them by structural virality."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for node in _nodes(con, params):
        groups.setdefault((str(node["platform"]), str(node["root"])), []).append(node)
    measured = []
    for key, nodes in groups.items():
        metrics = _measure(nodes)
        measured.append({"platform": key[0], "root_native_id": key[1], **metrics})
    measured.sort(key=lambda c: (-c["structural_virality"], -c["size"], c["root_native_id"]))
    top = measured[: params.limit]
    roots = _roots(con, [(c["platform"], c["root_native_id"]) for c in top])
    for cascade in top:
        root = roots.get((cascade["platform"], cascade["root_native_id"]), {})
        text = str(root.get("text") or "")
        cascade["root_author"] = root.get("author")
        cascade["started_at"] = as_utc(root["created_at"]) if root else None
        cascade["root_text"] = text if len(text) <= 200 else text[:199] + "…"
        cascade["url"] = root.get("url")
    return Cascades(cascades=tuple(top), count=len(measured))
