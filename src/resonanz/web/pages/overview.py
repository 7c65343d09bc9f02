"""The overview: the three goals as key figures, mention volume, alerts and inbox health."""

from __future__ import annotations

from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import Response

from resonanz.config import Settings
from resonanz.web.charts import Chart, render
from resonanz.web.context import web_context
from resonanz.web.i18n import translator
from resonanz.web.insight_charts import charts_for
from resonanz.web.library import Outcome, Window, run_insight
from resonanz.web.mentions import MentionFilter, count_mentions, volume_by_day
from resonanz.web.pages.common import WindowForm, window_of
from resonanz.web.pages.engage import inbox_summary, open_alerts
from resonanz.web.present import blocks
from resonanz.web.render import language, page


def _facts(
    con: duckdb.DuckDBPyConnection, form: WindowForm, window: Window, settings: Settings
) -> dict[str, Any]:
    flt = MentionFilter(
        topic=form.topic,
        platform=form.platform,
        lang=form.lang,
        since=form.since,
        until=form.until,
    )
    return {
        "goals": run_insight(con, "goals", window),
        "response": run_insight(con, "response-times", window),
        "volume": volume_by_day(con, flt),
        "total": count_mentions(con, flt),
        "alerts": open_alerts(con),
        "inbox": inbox_summary(con, settings),
    }


async def overview(request: Request) -> Response:
    """Show the overview page."""
    form, window, options = await window_of(request)
    ctx = web_context(request)
    facts = await ctx.run(_facts, form, window, ctx.workspace.settings)
    _ = translator(language(request))
    volume_chart = (
        render(
            Chart(
                _("overview.volume"),
                "line",
                facts["volume"],
                "day",
                "posts",
                color="sentiment",
                x_title="",
                y_title=_("chart.posts"),
            )
        )
        if facts["volume"]
        else None
    )
    goals: Outcome = facts["goals"]
    response: Outcome = facts["response"]
    return await page(
        request,
        "overview.html",
        title=_("nav.overview"),
        window=form,
        options=options,
        total=facts["total"],
        volume_chart=volume_chart,
        goals=goals,
        goal_charts=[render(c) for c in charts_for("goals", goals.data, _)] if goals.data else [],
        goal_blocks=blocks(goals.data, charts=False, series=False) if goals.data else [],
        response=response,
        response_blocks=blocks(response.data, charts=False) if response.data else [],
        alerts=facts["alerts"],
        inbox=facts["inbox"],
    )


ROUTES = [("/", "overview", overview, ["GET"])]
