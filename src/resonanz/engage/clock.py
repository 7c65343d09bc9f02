"""Business-time arithmetic for response-time targets (business hours in a time zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from resonanz.engage.settings import BusinessHours

_WEEK = timedelta(days=7)


def _window(day: date, hours: BusinessHours, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """Return the UTC start and end of the working window of ``day`` (None: day off)."""
    if day.isoweekday() not in hours.days:
        return None
    start = datetime.combine(day, hours.start, tz).astimezone(UTC)
    end = datetime.combine(day, hours.end, tz).astimezone(UTC)
    return (start, end) if end > start else None


def _week_minutes(hours: BusinessHours) -> float:
    day_minutes = (
        datetime.combine(date.min, hours.end) - datetime.combine(date.min, hours.start)
    ).total_seconds() / 60
    return max(0.0, day_minutes) * len(hours.days)


def business_minutes(start: datetime, end: datetime, hours: BusinessHours, tz: ZoneInfo) -> float:
    """Return the working minutes between two instants (0 when ``end`` is before ``start``).

    Whole weeks count as the week's working time (daylight-saving shifts inside a skipped
    week are ignored; the error is at most an hour per skipped week boundary).
    """
    if end <= start:
        return 0.0
    total = 0.0
    weeks = int((end - start) / _WEEK) - 1
    if weeks > 0:
        total += weeks * _week_minutes(hours)
        start = start + weeks * _WEEK
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        window = _window(day, hours, tz)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
        day += timedelta(days=1)
    return total


def add_business_minutes(
    start: datetime, minutes: float, hours: BusinessHours, tz: ZoneInfo
) -> datetime:
    """Return the instant when ``minutes`` of working time after ``start`` have passed."""
    if not hours.days or _week_minutes(hours) <= 0:
        raise ValueError("business hours are empty; set [inbox.business_hours]")
    left = minutes
    day = start.astimezone(tz).date() - timedelta(days=1)
    while True:
        window = _window(day, hours, tz)
        if window is not None and window[1] > start:
            lo = max(window[0], start)
            available = (window[1] - lo).total_seconds() / 60
            if available >= left:
                return lo + timedelta(minutes=left)
            left -= available
        day += timedelta(days=1)
