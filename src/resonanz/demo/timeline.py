"""When things happen: daily and weekly rhythm, the crisis and campaign, our best posting times."""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Berlin"
DAYS = 90
HOUR = timedelta(hours=1)

#: Relative posting activity per local hour of day (people post before work, at lunch, evenings).
DIURNAL = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.45, 0.9, 1.1, 1.0, 0.95, 1.0,
    1.15, 1.05, 0.95, 0.95, 1.0, 1.15, 1.3, 1.4, 1.35, 1.1, 0.7, 0.35,
)  # fmt: skip
#: Relative activity per local weekday (Monday = 0).
WEEKLY = (1.0, 1.02, 1.0, 0.98, 0.92, 0.8, 0.85)


def engagement_factor(weekday: int, hour: int) -> float:
    """Return how much engagement our own posts get at a local hour of the week (1 = typical).

    Posts do best on weekday mornings at 7–8 and on Sunday late mornings; nights are dead.
    """
    daily = (
        0.25
        + 0.9 * math.exp(-(((hour - 7.5) / 1.3) ** 2))
        + 0.55 * math.exp(-(((hour - 18.5) / 1.8) ** 2))
    )
    if weekday == 6:
        daily = (
            0.3
            + 1.3 * math.exp(-(((hour - 10.5) / 1.5) ** 2))
            + 0.3 * math.exp(-(((hour - 19.0) / 2.0) ** 2))
        )
    if weekday == 5:
        daily *= 0.75
    if hour < 6 or hour >= 23:
        daily *= 0.4
    return daily


def best_slots(count: int = 5) -> list[dict[str, int]]:
    """Return the ``count`` best local (weekday, hour) slots of :func:`engagement_factor`."""
    slots = [(engagement_factor(d, h), d, h) for d in range(7) for h in range(24)]
    slots.sort(key=lambda s: (-s[0], s[1], s[2]))
    return [{"weekday": d, "hour": h} for _, d, h in slots[:count]]


@dataclass(frozen=True)
class Clock:
    """The simulated 90 days, ending at ``anchor`` (exclusive)."""

    anchor: datetime

    @property
    def start(self) -> datetime:
        """The first instant of the simulated window."""
        return self.anchor - timedelta(days=DAYS)

    def local(self, at: datetime) -> datetime:
        """Return ``at`` in the workspace's time zone."""
        return at.astimezone(ZoneInfo(TIMEZONE))

    def sampler(self, shape: Callable[[float], float] | None = None) -> Sampler:
        """Return a sampler of instants following the daily/weekly rhythm times ``shape``.

        ``shape`` maps hours since the start of the window to a relative intensity.
        """
        zone = ZoneInfo(TIMEZONE)
        cumulative: list[float] = []
        total = 0.0
        for i in range(DAYS * 24):
            at = (self.start + i * HOUR).astimezone(zone)
            weight = DIURNAL[at.hour] * WEEKLY[at.weekday()] * (0.85 + 0.3 * i / (DAYS * 24))
            if shape is not None:
                weight *= shape(i + 0.5)
            total += weight
            cumulative.append(total)
        return Sampler(self.start, cumulative)


@dataclass(frozen=True)
class Sampler:
    """Draw instants from an hourly intensity."""

    start: datetime
    cumulative: list[float]

    def draw(self, rng: random.Random) -> datetime:
        """Return one instant, uniform within an hour drawn by its weight."""
        hour = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        hour = min(hour, len(self.cumulative) - 1)
        return self.start + timedelta(hours=hour, seconds=rng.randrange(3600))


def crisis_shape(start_hour: float) -> Callable[[float], float]:
    """Return the crisis intensity: a steep rise within hours, then a decay over days."""

    def shape(hour: float) -> float:
        dt = hour - start_hour
        if dt < 0:
            return 0.0
        rise = 1.0 - math.exp(-dt / 4.0)
        return rise * math.exp(-dt / 60.0)

    return shape


def window_shape(start_hour: float, length_hours: float) -> Callable[[float], float]:
    """Return an intensity that is 1 inside ``[start, start + length)`` and 0 elsewhere."""

    def shape(hour: float) -> float:
        return 1.0 if start_hour <= hour < start_hour + length_hours else 0.0

    return shape


def business_reply(rng: random.Random, asked: datetime, *, slow: bool = False) -> datetime:
    """Return when our service team answers: within hours, on weekdays 8–18 Berlin time."""
    zone = ZoneInfo(TIMEZONE)
    local = asked.astimezone(zone)
    while local.weekday() >= 5 or local.hour >= 18 or local.hour < 8:
        if local.weekday() < 5 and local.hour < 8:
            local = local.replace(hour=8, minute=0, second=0)
        else:
            local = (local + timedelta(days=1)).replace(hour=8, minute=0, second=0)
    median = 300.0 if slow else 95.0
    minutes = median * math.exp(rng.gauss(0.0, 0.8))
    return local.astimezone(UTC) + timedelta(minutes=minutes, seconds=rng.randrange(60))


def to_utc_hour(at: datetime) -> datetime:
    """Floor ``at`` to the full hour in UTC."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
