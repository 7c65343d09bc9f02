"""Timing: the best hours of the week to post, per own account and per network.

Engagement is heavy-tailed and most hour-of-week cells hold few of our posts, so each cell's
mean log engagement is shrunk toward the account's overall mean by an empirical-Bayes
normal–normal model: the less a cell has seen, the more it trusts the account average.
Each cell carries a 90 % posterior interval. Hours are in the workspace time zone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import duckdb

from resonanz.insights.params import (
    ENGAGEMENT,
    InsightParams,
    Result,
    fetch_dicts,
    filtered_posts_cte,
    handle_sql,
    own_accounts,
)

NAME = "timing"
Z90: Final = 1.645
BEST: Final = 5
DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Timing(Result):
    """Best posting slots per own account and per network, with the full week grid."""

    timezone: str
    accounts: tuple[dict[str, Any], ...]
    networks: tuple[dict[str, Any], ...]

    def rows(self) -> list[dict[str, Any]]:
        """Return the best slots of every account and network."""
        out = []
        for group in (*self.accounts, *self.networks):
            for slot in group["best"]:
                out.append({"platform": group["platform"], "account": group["account"], **slot})
        return out


def _cells(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[dict[str, Any]]:
    cte, args = filtered_posts_cte(params)
    mine = [f"{p} {h}" for p, h in own_accounts(con, params)]
    if not mine:
        return []
    sql = f"""
        WITH {cte},
        o AS (
            SELECT p.platform, {handle_sql("p.author")} AS handle,
                   timezone(?, p.created_at) AS local_at, ln(1 + {ENGAGEMENT}) AS y
            FROM f p
            WHERE p.repost_of IS NULL
              AND list_contains(?, p.platform || ' ' || {handle_sql("p.author")})
        )
        SELECT platform, handle, isodow(local_at) - 1 AS dow, hour(local_at) AS hour,
               count(*) AS n, avg(y) AS mean, var_pop(y) AS var
        FROM o GROUP BY ALL
    """  # noqa: S608 - fixed fragments; values are bound
    return fetch_dicts(con, sql, [*args, params.timezone, mine])


def shrink(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return all 168 cells with posterior mean and 90 % interval of expected engagement."""
    total = sum(int(c["n"]) for c in cells)
    mu = sum(int(c["n"]) * float(c["mean"]) for c in cells) / total
    within = sum(int(c["n"]) * float(c["var"] or 0.0) for c in cells)
    between = sum(int(c["n"]) * (float(c["mean"]) - mu) ** 2 for c in cells)
    sigma2 = max(within / max(total - len(cells), 1), 1e-3)
    # Method-of-moments between-cell variance, floored so that the prior never collapses.
    tau2 = max((between - (len(cells) - 1) * sigma2) / total, 0.01 * sigma2, 1e-4)
    seen = {(int(c["dow"]), int(c["hour"])): c for c in cells}
    grid = []
    for dow in range(7):
        for hour in range(24):
            cell = seen.get((dow, hour))
            n = int(cell["n"]) if cell else 0
            precision = 1.0 / tau2 + n / sigma2
            mean = (mu / tau2 + (n * float(cell["mean"]) / sigma2 if cell else 0.0)) / precision
            sd = math.sqrt(1.0 / precision)
            grid.append(
                {
                    "weekday": DAYS[dow],
                    "hour": hour,
                    "posts": n,
                    "expected_engagement": round(math.expm1(mean), 3),
                    "low": round(max(math.expm1(mean - Z90 * sd), 0.0), 3),
                    "high": round(math.expm1(mean + Z90 * sd), 3),
                    "score": mean,
                }
            )
    return grid


def _group(platform: str, account: str, cells: list[dict[str, Any]]) -> dict[str, Any]:
    grid = shrink(cells)
    best = sorted(grid, key=lambda c: -c["score"])[:BEST]
    for cell in grid:
        cell["score"] = round(cell["score"], 4)
    return {
        "platform": platform,
        "account": account,
        "posts": sum(int(c["n"]) for c in cells),
        "best": [dict(c) for c in best],
        "grid": grid,
    }


def _pooled(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Merge cells of several accounts per (weekday, hour), pooling means and variances."""
    merged: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for c in cells:
        merged.setdefault((int(c["dow"]), int(c["hour"])), []).append(c)
    out = []
    for (dow, hour), parts in merged.items():
        n = sum(int(p["n"]) for p in parts)
        mean = sum(int(p["n"]) * float(p["mean"]) for p in parts) / n
        second = sum(int(p["n"]) * (float(p["var"] or 0) + float(p["mean"]) ** 2) for p in parts)
        out.append({"dow": dow, "hour": hour, "n": n, "mean": mean, "var": second / n - mean**2})
    return out


def compute(con: duckdb.DuckDBPyConnection, params: InsightParams) -> Timing:
    """Rank hours of the week by shrunk expected engagement of our own posts."""
    cells = _cells(con, params)
    per_account: dict[tuple[str, str], list[dict[str, Any]]] = {}
    per_network: dict[str, list[dict[str, Any]]] = {}
    for cell in cells:
        per_account.setdefault((str(cell["platform"]), str(cell["handle"])), []).append(cell)
        per_network.setdefault(str(cell["platform"]), []).append(cell)
    return Timing(
        timezone=params.timezone,
        accounts=tuple(_group(p, h, c) for (p, h), c in sorted(per_account.items())),
        networks=tuple(_group(p, "*", _pooled(c)) for p, c in sorted(per_network.items())),
    )
