"""Lay out calendar entries on a month or week grid in the workspace's time zone."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

TIME_KEYS = ("scheduled_for", "scheduled_at", "publish_at", "at")


@dataclass
class Day:
    """One day cell with its entries."""

    day: date
    in_period: bool
    entries: list[Mapping[str, Any]] = field(default_factory=list)


def entry_time(entry: Mapping[str, Any]) -> datetime | None:
    """Return when an entry is planned, from its first time-like field."""
    for key in TIME_KEYS:
        value = entry.get(key)
        if isinstance(value, datetime):
            return value
        if isinstance(value, str) and value:
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                continue
    return None


def period(view: str, anchor: date) -> tuple[date, date]:
    """Return the first and last day shown for a month or week view around ``anchor``."""
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    first = anchor.replace(day=1)
    last = anchor.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
    return first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())


def grid(
    view: str, anchor: date, entries: Iterable[Mapping[str, Any]], timezone: str
) -> list[list[Day]]:
    """Return weeks of days for the view, each day holding its entries (local time)."""
    zone = ZoneInfo(timezone)
    start, end = period(view, anchor)
    days = {
        start + timedelta(days=i): Day(start + timedelta(days=i), True)
        for i in range((end - start).days + 1)
    }
    for day in days.values():
        day.in_period = view == "week" or day.day.month == anchor.month
    for entry in entries:
        when = entry_time(entry)
        if when is None:
            continue
        local = when.astimezone(zone) if when.tzinfo else when
        cell = days.get(local.date())
        if cell is not None:
            cell.entries.append({**entry, "local_time": local.strftime("%H:%M")})
    ordered = [days[d] for d in sorted(days)]
    return [ordered[i : i + 7] for i in range(0, len(ordered), 7)]
