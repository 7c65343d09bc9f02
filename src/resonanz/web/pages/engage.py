"""Alerts and the inbox: alert history and rules, the prioritised queue and its actions."""

from __future__ import annotations

from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from resonanz.alerts.service import list_alerts
from resonanz.config import Settings
from resonanz.engage.inbox import (
    OPEN,
    STATUSES,
    InboxEntry,
    add_note,
    assign,
    get_item,
    list_inbox,
    notes,
    set_status,
    sync_inbox,
)
from resonanz.engage.replies import reply_to_item, saved_replies
from resonanz.engage.response_times import response_report
from resonanz.errors import ResonanzError
from resonanz.store import Store
from resonanz.web.auth import current_user
from resonanz.web.context import web_context
from resonanz.web.i18n import translator
from resonanz.web.library import Outcome, to_plain
from resonanz.web.render import flash, language, page
from resonanz.web.users import list_users

INBOX_ACTIONS = ("reply", "assign", "note", "close", "reopen")
VIEWS = {"open": OPEN, "answered": ("answered",), "closed": ("closed",), "all": STATUSES}


def open_alerts(con: duckdb.DuckDBPyConnection) -> Outcome:
    """Return the newest alerts."""
    return Outcome("alerts", data={"alerts": to_plain(list_alerts(con, limit=10))})


def inbox_summary(con: duckdb.DuckDBPyConnection, settings: Settings) -> Outcome:
    """Return the inbox backlog and response-time health."""
    report = to_plain(response_report(con, settings))
    return Outcome("inbox", data=report if isinstance(report, dict) else {"report": report})


async def alerts(request: Request) -> Response:
    """Show alert history and the configured rules."""
    ctx = web_context(request)
    history = await ctx.run(lambda con: Outcome("alerts", data={"alerts": list_alerts(con, 100)}))
    _ = translator(language(request))
    rules = to_plain(ctx.workspace.settings.alerts.model_dump(mode="json"))
    return await page(request, "alerts.html", title=_("nav.alerts"), history=history, rules=rules)


def _queue(
    con: duckdb.DuckDBPyConnection, settings: Settings, view: str, selected: int | None
) -> dict[str, Any]:
    sync_inbox(con, settings)
    items = list_inbox(con, settings, statuses=VIEWS[view])
    item: InboxEntry | None = None
    if selected is not None:
        try:
            item = get_item(con, settings, selected)
        except ResonanzError:
            item = None
    elif items:
        item = items[0]
    return {
        "items": items,
        "item": item,
        "notes": notes(con, item.id) if item else [],
        "saved": saved_replies(con),
        "team": [u.username for u in list_users(con)],
    }


async def inbox(request: Request) -> Response:
    """Show the prioritised inbox queue and the selected item."""
    view = request.query_params.get("view", "open")
    view = view if view in VIEWS else "open"
    try:
        selected: int | None = int(request.query_params["item"])
    except (KeyError, ValueError):
        selected = None
    ctx = web_context(request)
    data = await ctx.run(_queue, ctx.workspace.settings, view, selected)
    _ = translator(language(request))
    return await page(
        request, "inbox.html", title=_("nav.inbox"), view=view, views=list(VIEWS), **data
    )


def _act(
    store: Store,
    ctx_settings: Settings,
    folder: Any,
    item_id: int,
    action: str,
    form: dict[str, str],
    user: str,
) -> None:
    con = store.con
    if action == "reply":
        reply_to_item(
            store,
            ctx_settings,
            folder,
            item_id,
            form.get("text") or None,
            saved=form.get("saved") or None,
            by=user,
        )
    elif action == "assign":
        assign(con, item_id, form.get("assignee") or None)
    elif action == "note":
        if not form.get("text"):
            raise ResonanzError("a note needs text")
        add_note(con, item_id, user, form["text"])
    elif action == "close":
        set_status(con, item_id, "closed")
    else:
        set_status(con, item_id, "new")


async def inbox_action(request: Request) -> Response:
    """Reply to, assign, annotate, close or reopen an inbox item."""
    _ = translator(language(request))
    action = request.path_params["action"]
    try:
        item_id = int(request.path_params["item_id"])
    except ValueError:
        item_id = -1
    if action not in INBOX_ACTIONS or item_id < 0:
        return await page(request, "error.html", 404, title="404", message=_("error.not_found"))
    raw = await request.form()
    form = {k: str(v)[:5000] for k, v in raw.items() if isinstance(v, str)}
    user = await current_user(request)
    assert user is not None  # guaranteed by the role check
    ctx = web_context(request)
    try:
        await ctx.run_store(
            _act, ctx.workspace.settings, ctx.workspace.folder, item_id, action, form, user.username
        )
    except ResonanzError as exc:
        flash(request, _("inbox.failed", error=str(exc)))
    else:
        flash(request, _("inbox.done", action=_("inbox." + action)))
    view = form.get("view", "open")
    return RedirectResponse(f"/inbox?view={view if view in VIEWS else 'open'}&item={item_id}", 303)


ROUTES = [
    ("/alerts", "alerts", alerts, ["GET"]),
    ("/inbox", "inbox", inbox, ["GET"]),
    ("/inbox/{item_id}/{action}", "inbox_action", inbox_action, ["POST"]),
]
