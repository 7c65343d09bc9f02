"""Collect a report's sections: every insight over one window, with charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from resonanz.web.charts import Chart, Rendered, render
from resonanz.web.i18n import translator
from resonanz.web.insight_charts import charts_for
from resonanz.web.library import Outcome, Window, campaign_facts, run_insight
from resonanz.web.mentions import MentionFilter, count_mentions, volume_by_day
from resonanz.web.present import Block, blocks

REPORT_ROWS = 10
#: (insight name, section title key), in report order.
SECTIONS = (
    ("goals", "report.goals"),
    ("share-of-voice", "nav.competitors"),
    ("sentiment", "nav.sentiment"),
    ("feedback", "nav.feedback"),
    ("trends", "nav.trends"),
    ("influencers", "nav.leaders"),
    ("campaigns", "nav.campaigns"),
    ("response-times", "report.response_times"),
)


@dataclass
class Section:
    """One part of the report."""

    title: str
    outcome: Outcome
    charts: list[Rendered] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    """Everything a report shows, ready to render as HTML or PDF."""

    workspace: str
    since: datetime
    until: datetime
    lang: str
    mentions: int
    volume: Rendered | None
    sections: list[Section]
    created_at: datetime


def build_report(
    con: duckdb.DuckDBPyConnection,
    workspace_name: str,
    since: datetime,
    until: datetime,
    lang: str = "en",
    now: datetime | None = None,
) -> Report:
    """Compute every section of a report over ``[since, until)``."""
    _ = translator(lang)
    window = Window(since=since, until=until)
    flt = MentionFilter(since=since.date().isoformat(), until=until.date().isoformat())
    volume_rows = volume_by_day(con, flt)
    volume = None
    if volume_rows:
        volume = render(
            Chart(
                _("overview.volume"),
                "line",
                volume_rows,
                "day",
                "posts",
                color="sentiment",
                x_title="",
                y_title=_("chart.posts"),
            )
        )
    sections: list[Section] = []
    for name, key in SECTIONS:
        outcome = campaign_facts(con) if name == "campaigns" else run_insight(con, name, window)
        section = Section(_(key), outcome)
        if outcome.data is not None:
            section.charts = [render(c) for c in charts_for(name, outcome.data, _)]
            section.blocks = blocks(
                outcome.data, charts=not section.charts, max_rows=REPORT_ROWS, series=False
            )
        sections.append(section)
    return Report(
        workspace_name,
        since,
        until,
        lang,
        count_mentions(con, flt),
        volume,
        sections,
        now or datetime.now(since.tzinfo),
    )
