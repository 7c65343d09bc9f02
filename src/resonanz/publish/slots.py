"""Suggest when to post: the hour of the week our audience engaged most, next after now."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from resonanz.records import utcnow


def best_hours(
    con: duckdb.DuckDBPyConnection, tz: str, kinds: tuple[str, ...] = ("brand", "product")
) -> list[tuple[int, int, float]]:
    """Return (ISO weekday, hour, mean engagement) of posts about us, best first."""
    rows = con.execute(
        """
        SELECT isodow(p.created_at AT TIME ZONE ?) AS dow, hour(p.created_at AT TIME ZONE ?) AS h,
               avg(coalesce(p.likes, 0) + 2 * coalesce(p.reposts, 0) + coalesce(p.replies, 0)) AS e,
               count(*) AS n
        FROM posts p
        WHERE EXISTS (SELECT 1 FROM matches m JOIN topics t ON t.name = m.topic
                      WHERE m.platform = p.platform AND m.native_id = p.native_id
                        AND list_contains(?, t.kind))
        GROUP BY dow, h HAVING n >= 3 ORDER BY e DESC, n DESC
        """,
        [tz, tz, list(kinds)],
    ).fetchall()
    return [(int(d), int(h), float(e)) for d, h, e, _ in rows]


def suggest_slot(
    con: duckdb.DuckDBPyConnection, tz: str, now: datetime | None = None, lead_minutes: int = 30
) -> datetime:
    """Return the next best slot (UTC) at least ``lead_minutes`` from now.

    Without enough data it suggests the next working day at 10:00 local time.
    """
    zone = ZoneInfo(tz)
    start = (now or utcnow()) + timedelta(minutes=lead_minutes)
    local = start.astimezone(zone)
    ranked = best_hours(con, tz)[:3] or [(d, 10, 0.0) for d in range(1, 6)]
    candidates = []
    for dow, hour, _ in ranked:
        days = (dow - local.isoweekday()) % 7
        slot = (local + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        if slot < local:
            slot += timedelta(days=7)
        candidates.append(slot)
    return min(candidates).astimezone(ZoneInfo("UTC"))
