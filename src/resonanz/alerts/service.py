"""Run alert rules against the store: detect, de-duplicate, store in-app, deliver."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx

from resonanz.alerts.delivery import deliver
from resonanz.alerts.rules import WEEK, Firing, scan
from resonanz.alerts.settings import AlertRule, AlertSettings
from resonanz.alerts.summary import headline, summarize
from resonanz.insights.params import as_utc, fetch_dicts
from resonanz.records import utcnow


@dataclass(frozen=True)
class Alert:
    """An alert that was stored (and delivered) by this run."""

    id: int
    rule: str
    headline: str
    delivery: dict[str, str]


def _state(con: duckdb.DuckDBPyConnection, rule: str) -> tuple[datetime | None, datetime | None]:
    row = con.execute(
        "SELECT last_fired_end, last_checked FROM alert_state WHERE rule = ?", [rule]
    ).fetchone()
    if row is None:
        return None, None
    return (as_utc(row[0]) if row[0] else None), (as_utc(row[1]) if row[1] else None)


def _save_state(
    con: duckdb.DuckDBPyConnection, rule: str, fired_end: datetime | None, checked: datetime
) -> None:
    con.execute(
        "INSERT INTO alert_state VALUES (?, ?, ?, ?) ON CONFLICT (rule) DO UPDATE SET "
        "last_fired_end = coalesce(excluded.last_fired_end, alert_state.last_fired_end), "
        "last_checked = excluded.last_checked, updated_at = excluded.updated_at",
        [rule, fired_end, checked, utcnow()],
    )


def _store(con: duckdb.DuckDBPyConnection, firing: Firing, summary: dict[str, Any]) -> int | None:
    """Insert the alert unless the same rule already alerted on this window; return its id."""
    row = con.execute(
        "INSERT INTO alerts (rule, detector, topics, window_start, window_end, observed, "
        "expected, score, summary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING RETURNING id",
        [
            firing.rule,
            firing.detector,
            list(firing.topics),
            firing.window_start,
            firing.window_end,
            firing.observed,
            firing.expected,
            firing.score,
            json.dumps(summary, ensure_ascii=False, default=str),
            utcnow(),
        ],
    ).fetchone()
    return None if row is None else int(row[0])


def run_rule(
    con: duckdb.DuckDBPyConnection,
    rule: AlertRule,
    settings: AlertSettings,
    now: datetime,
    workspace: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[Alert]:
    """Check the windows of ``rule`` completed since its last check; alert on new spikes."""
    fired_end, checked = _state(con, rule.name)
    since = checked or now - timedelta(hours=rule.window_hours)
    since = max(since, now - WEEK)  # after a long pause, report the last week only
    alerts = []
    for firing in scan(con, rule, since, now, fired_end):
        summary = summarize(con, firing)
        alert_id = _store(con, firing, summary)
        fired_end = firing.window_end
        if alert_id is None:  # already stored and sent by an earlier run
            continue
        results = deliver(rule, settings.smtp, summary, workspace, transport)
        con.execute("UPDATE alerts SET delivery = ? WHERE id = ?", [json.dumps(results), alert_id])
        alerts.append(Alert(alert_id, rule.name, str(summary["headline"]), results))
    _save_state(con, rule.name, fired_end, now)
    return alerts


def run_alerts(
    con: duckdb.DuckDBPyConnection,
    settings: AlertSettings,
    now: datetime | None = None,
    workspace: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> list[Alert]:
    """Run every rule once; return the alerts that were new."""
    at = now or utcnow()
    out: list[Alert] = []
    for rule in settings.rules:
        out.extend(run_rule(con, rule, settings, at, workspace, transport))
    return out


def list_alerts(con: duckdb.DuckDBPyConnection, limit: int = 50) -> list[dict[str, Any]]:
    """Return the newest stored alerts with their headline and delivery results."""
    rows = fetch_dicts(
        con,
        "SELECT id, rule, detector, topics, window_start, window_end, observed, expected, "
        "score, summary, delivery, created_at FROM alerts "
        "ORDER BY window_start DESC, id DESC LIMIT ?",
        [limit],
    )
    for row in rows:
        row["headline"] = json.loads(row.pop("summary")).get("headline")
        row["delivery"] = json.loads(row["delivery"]) if row["delivery"] else {}
    return rows


def send_test(
    rule: AlertRule,
    settings: AlertSettings,
    workspace: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, str]:
    """Send a sample alert through the channels of ``rule``; return per-channel results."""
    end = utcnow().replace(minute=0, second=0, microsecond=0)
    firing = Firing(
        rule.name,
        rule.detector,
        tuple(rule.topics),
        end - timedelta(hours=rule.window_hours),
        end,
        42.0,
        10.0,
        8.0,
        42,
    )
    summary: dict[str, Any] = {
        "headline": "TEST " + headline(firing),
        "top_terms": ["example"],
        "top_aspects": [],
        "sentiment": {},
        "top_posts": [],
        "top_authors": [],
    }
    return deliver(rule, settings.smtp, summary, workspace, transport)
