"""The content calendar (drafts, approval, previews, slots, best times) and campaigns."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from starlette.requests import Request
from starlette.responses import Response

from resonanz.config import Settings
from resonanz.errors import ResonanzError
from resonanz.publish.calendar import add_draft, approve, list_drafts, schedule, submit
from resonanz.publish.checks import check_draft
from resonanz.publish.slots import suggest_slot
from resonanz.web.auth import current_user
from resonanz.web.calendar_grid import grid
from resonanz.web.charts import render
from resonanz.web.context import web_context
from resonanz.web.i18n import translator
from resonanz.web.insight_charts import charts_for
from resonanz.web.library import Outcome, Window, campaign_facts, run_insight, to_plain
from resonanz.web.pages.common import window_of
from resonanz.web.present import blocks, table
from resonanz.web.render import back, flash, language, page


def _anchor(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return datetime.now(UTC).date()


def _calendar_facts(
    con: duckdb.DuckDBPyConnection, settings: Settings, window: Window
) -> dict[str, Any]:
    drafts = list_drafts(con)
    tz = settings.workspace.timezone
    own = tuple((a.network, a.handle) for a in settings.accounts)
    timing = run_insight(
        con, "timing", replace(window, extra={"timezone": tz, "own_accounts": own})
    )
    zone = ZoneInfo(tz)
    return {
        "drafts": [
            {
                **to_plain(d),
                "issues": [to_plain(i) for i in check_draft(con, settings, d)],
                "planned": d.scheduled_for.astimezone(zone) if d.scheduled_for else None,
            }
            for d in drafts
        ],
        "timing": timing,
        "slot": suggest_slot(con, tz).astimezone(ZoneInfo(tz)),
    }


async def calendar(request: Request) -> Response:
    """Show the month or week view, drafts, the composer and the best-time heatmap."""
    view = "week" if request.query_params.get("view") == "week" else "month"
    anchor = _anchor(request.query_params.get("day"))
    _form, window, _options = await window_of(request, days=90)
    ctx = web_context(request)
    settings = ctx.workspace.settings
    facts = await ctx.run(_calendar_facts, settings, window)
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    _ = translator(language(request))
    timing: Outcome = facts["timing"]
    heatmaps = [render(c) for c in charts_for("timing", timing.data, _)] if timing.data else []
    return await page(
        request,
        "calendar.html",
        title=_("nav.calendar"),
        view=view,
        anchor=anchor,
        weeks=grid(view, anchor, facts["drafts"], settings.workspace.timezone),
        prev_day=(anchor - step).isoformat(),
        next_day=(anchor + step).isoformat(),
        drafts=facts["drafts"],
        slot=facts["slot"].strftime("%Y-%m-%dT%H:%M"),
        timing=timing,
        heatmaps=heatmaps,
        channels=settings.publish.channels,
    )


def _local_time(value: str, tz: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ResonanzError(f"{value!r} is not a date and time") from None
    return parsed.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC) if parsed.tzinfo is None else parsed


def _save(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    form: dict[str, Any],
    actor: str,
    may_approve: bool,
) -> str:
    """Create a draft and move it as far as the action and the actor's role allow."""
    when = _local_time(form["scheduled_at"], settings.workspace.timezone)
    draft_id = add_draft(
        con,
        settings,
        form["text"],
        form["channels"],
        thread=form["thread"],
        scheduled_for=when,
        title=form["title"] or None,
    )
    if form["action"] in ("review", "schedule"):
        submit(con, draft_id, actor)
    if form["action"] == "schedule" and may_approve:
        approve(con, settings, draft_id, actor)
        schedule(con, settings, draft_id, actor, when)
        return "scheduled"
    return "in_review" if form["action"] in ("review", "schedule") else "draft"


async def calendar_save(request: Request) -> Response:
    """Save a draft, send it to review, or (admins) schedule it right away."""
    raw = await request.form()
    form = {
        "text": str(raw.get("text") or "")[:5000],
        "title": str(raw.get("title") or "")[:200],
        "channels": [str(c) for c in raw.getlist("channels")],
        "scheduled_at": str(raw.get("scheduled_at") or ""),
        "thread": raw.get("thread") == "1",
        "action": str(raw.get("action") or "draft"),
    }
    user = await current_user(request)
    assert user is not None  # guaranteed by the role check
    ctx = web_context(request)
    _ = translator(language(request))
    try:
        status = await ctx.run(
            _save, ctx.workspace.settings, form, user.username, user.role == "admin"
        )
    except ResonanzError as exc:
        flash(request, _("calendar.failed", error=str(exc)))
    else:
        flash(request, _("calendar.saved", status=_("status." + status)))
    return back(request, "/calendar")


def _approve(con: duckdb.DuckDBPyConnection, settings: Settings, draft_id: str, actor: str) -> None:
    approve(con, settings, draft_id, actor)
    schedule(con, settings, draft_id, actor)


async def calendar_approve(request: Request) -> Response:
    """Approve a draft in review and schedule it for its planned time."""
    user = await current_user(request)
    assert user is not None  # guaranteed by the role check
    ctx = web_context(request)
    _ = translator(language(request))
    try:
        await ctx.run(
            _approve, ctx.workspace.settings, request.path_params["entry_id"], user.username
        )
    except ResonanzError as exc:
        flash(request, _("calendar.failed", error=str(exc)))
    else:
        flash(request, _("calendar.saved", status=_("status.scheduled")))
    return back(request, "/calendar")


async def campaigns(request: Request) -> Response:
    """Show tracked links, referrals, conversions and the K-factor per campaign."""
    outcome = await web_context(request).run(campaign_facts)
    _ = translator(language(request))
    data = outcome.data or {}
    sections = [
        (
            report["campaign"],
            blocks({k: v for k, v in report.items() if k != "campaign"}, charts=False),
        )
        for report in data.get("campaigns", [])
    ]
    return await page(
        request,
        "campaigns.html",
        title=_("nav.campaigns"),
        outcome=outcome,
        sections=sections,
        links=table(data.get("links") or [], _("campaigns.links")) if data.get("links") else None,
        referrals=table(data.get("referrals") or [], _("campaigns.referrals"))
        if data.get("referrals")
        else None,
    )


ROUTES = [
    ("/calendar", "calendar", calendar, ["GET"]),
    ("/calendar/drafts", "calendar_save", calendar_save, ["POST"]),
    ("/calendar/{entry_id}/approve", "calendar_approve", calendar_approve, ["POST"]),
    ("/campaigns", "campaigns", campaigns, ["GET"]),
]
