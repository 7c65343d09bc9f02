"""Response-time health: the open backlog by clock state, and who answered how fast."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from resonanz.config import Settings
from resonanz.engage.inbox import OPEN, STATUSES, list_inbox


@dataclass(frozen=True)
class ResponderStats:
    """How fast one responder (or account) answered, in business minutes."""

    responder: str
    answered: int
    median_minutes: float
    within_target: float  # share 0..1


@dataclass(frozen=True)
class ResponseReport:
    """The backlog and the answer speed of the team."""

    open_items: int
    by_clock: dict[str, int]
    about_to_breach: list[int]
    breached: list[int]
    responders: list[ResponderStats] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)


def response_report(
    con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime | None = None
) -> ResponseReport:
    """Compute the backlog's clock states and per-responder answer times."""
    entries = list_inbox(con, settings, statuses=STATUSES, now=now, limit=None)
    open_entries = [e for e in entries if e.status in OPEN]
    minutes: dict[str, list[float]] = defaultdict(list)
    met: Counter[str] = Counter()
    for e in entries:
        if e.answered_at is not None:
            who = e.answered_by or "unknown"
            minutes[who].append(e.waited_minutes)
            met[who] += e.clock == "met"
    responders = [
        ResponderStats(
            who,
            len(values),
            round(statistics.median(values), 1),
            round(met[who] / len(values), 3),
        )
        for who, values in sorted(minutes.items())
    ]
    return ResponseReport(
        open_items=len(open_entries),
        by_clock=dict(Counter(e.clock for e in open_entries)),
        about_to_breach=[e.id for e in open_entries if e.clock == "at_risk"],
        breached=[e.id for e in open_entries if e.clock == "breached"],
        responders=responders,
    )
