"""Evaluate an alert rule over stored posts: per-window counts fed to a seasonal detector."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import duckdb

from resonanz.alerts.detectors import SeasonalSpikeDetector
from resonanz.alerts.settings import AlertRule

WEEK = timedelta(weeks=1)
#: Windows are aligned to this instant (a Monday, midnight UTC).
ORIGIN = datetime(2000, 1, 3, tzinfo=UTC)


@dataclass(frozen=True)
class Firing:
    """One window in which a rule's detector fired."""

    rule: str
    detector: str
    topics: tuple[str, ...]
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    score: float
    posts: int


def align(at: datetime, width: timedelta) -> datetime:
    """Return the start of the window of ``width`` that contains ``at``."""
    steps = (at - ORIGIN) // width
    return ORIGIN + steps * width


def window_counts(
    con: duckdb.DuckDBPyConnection, rule: AlertRule, start: datetime, end: datetime
) -> dict[datetime, tuple[int, int]]:
    """Return ``{window_start: (posts, negative posts)}`` of the rule's topics in [start, end)."""
    width = timedelta(hours=rule.window_hours)
    topic_filter = (
        "AND EXISTS (SELECT 1 FROM matches m WHERE m.platform = p.platform "
        "AND m.native_id = p.native_id AND list_contains(?, m.topic))"
        if rule.topics
        else ""
    )
    sql = f"""
        SELECT floor((epoch(p.created_at) - epoch(?::TIMESTAMPTZ)) / ?)::BIGINT AS step,
               count(*) AS posts,
               count(*) FILTER (WHERE p.sentiment = 'negative') AS negative
        FROM posts p
        WHERE p.created_at >= ? AND p.created_at < ? {topic_filter}
        GROUP BY step
    """  # noqa: S608 - fixed fragment; values are bound
    args: list[object] = [ORIGIN, width.total_seconds(), start, end]
    if rule.topics:
        args.append(list(rule.topics))
    return {
        ORIGIN + int(step) * width: (int(n), int(neg))
        for step, n, neg in con.execute(sql, args).fetchall()
    }


def detector_for(rule: AlertRule) -> SeasonalSpikeDetector:
    """Build the detector of a rule (one value per window, a week of windows per period)."""
    period = max(1, round(168 / rule.window_hours))
    share = rule.detector == "negative_share"
    return SeasonalSpikeDetector(
        period,
        rule.baseline_weeks,
        rule.threshold,
        poisson=not share,
        min_scale=0.05 if share else 1.0,
    )


def scan(
    con: duckdb.DuckDBPyConnection,
    rule: AlertRule,
    since: datetime,
    until: datetime,
    last_fired_end: datetime | None = None,
) -> list[Firing]:
    """Return the firings of ``rule`` in complete windows ending in (since, until].

    The detector first sees ``baseline_weeks`` of history before ``since``. Cool-down: a
    firing within ``cooldown_hours`` after the previous firing's window is suppressed.
    """
    width = timedelta(hours=rule.window_hours)
    first = align(since, width)
    history_start = first - rule.baseline_weeks * WEEK
    last = align(until, width)  # windows starting before this one are complete
    counts = window_counts(con, rule, history_start, last)
    detector = detector_for(rule)
    cooldown = timedelta(hours=rule.cooldown_hours)
    out: list[Firing] = []
    at = history_start
    while at < last:
        posts, negative = counts.get(at, (0, 0))
        value = _value(rule, posts, negative)
        detector.update(value)
        quiet = last_fired_end is not None and at + width <= last_fired_end + cooldown
        fired = detector.drift_detected and posts >= rule.min_count and not quiet
        if at >= first and fired:
            out.append(
                Firing(
                    rule.name,
                    rule.detector,
                    tuple(rule.topics),
                    at,
                    at + width,
                    value,
                    detector.expected,
                    detector.score,
                    posts,
                )
            )
            last_fired_end = at + width
        at += width
    return out


def _value(rule: AlertRule, posts: int, negative: int) -> float:
    if rule.detector == "volume":
        return float(posts)
    if rule.detector == "negative_volume":
        return float(negative)
    return negative / posts if posts else 0.0
