"""Listening: the topic query editor with live checks, the filtered mention stream, exports."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import duckdb
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resonanz.errors import ConfigError, ResonanzError
from resonanz.query.topics import KINDS, add_topic, list_topics
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS, STAKEHOLDERS
from resonanz.sources.status import status_rows
from resonanz.web.charts import Chart, render
from resonanz.web.context import web_context
from resonanz.web.i18n import translator
from resonanz.web.library import NotAvailable, check_query
from resonanz.web.mentions import (
    MentionFilter,
    count_mentions,
    export_csv,
    export_json,
    filter_options,
    mentions,
    volume_by_day,
)
from resonanz.web.render import back, flash, language, page

PAGE_SIZE = 25
EXPORT_LIMIT = 50_000
PREVIEW = 8
_TOPIC_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def _stream(con: duckdb.DuckDBPyConnection, flt: MentionFilter, offset: int) -> dict[str, Any]:
    try:
        return {
            "posts": mentions(con, flt, limit=PAGE_SIZE, offset=offset),
            "total": count_mentions(con, flt),
            "volume": volume_by_day(con, flt),
            "options": filter_options(con),
            "topics": list_topics(con),
            "sources": status_rows(con),
            "error": None,
        }
    except (ResonanzError, NotAvailable) as exc:
        return {
            "posts": [],
            "total": 0,
            "volume": [],
            "options": filter_options(con),
            "topics": list_topics(con),
            "sources": status_rows(con),
            "error": str(exc),
        }


async def listening(request: Request) -> Response:
    """Show the query editor and the mention stream."""
    flt = MentionFilter.from_params(request.query_params)
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    data = await web_context(request).run(_stream, flt, offset)
    _ = translator(language(request))
    chart = None
    if data["volume"]:
        chart = render(
            Chart(
                _("listening.volume"),
                "line",
                data["volume"],
                "day",
                "posts",
                color="sentiment",
                x_title="",
                y_title=_("chart.posts"),
                height=160,
            )
        )
    keep = flt.as_params()
    return await page(
        request,
        "listening.html",
        title=_("nav.listening"),
        flt=flt,
        data=data,
        chart=chart,
        offset=offset,
        page_size=PAGE_SIZE,
        keep=urlencode(keep),
        next_query=urlencode({**keep, "offset": offset + PAGE_SIZE}),
        prev_query=urlencode({**keep, "offset": max(0, offset - PAGE_SIZE)}),
        kinds=KINDS,
        choices={
            "sentiment": SENTIMENTS,
            "emotion": EMOTIONS,
            "intent": INTENTS,
            "stakeholder": STAKEHOLDERS,
        },
    )


def _preview(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, Any]:
    checked = check_query(query)
    out: dict[str, Any] = {
        "ok": checked.ok,
        "message": checked.message,
        "position": checked.position,
        "expected": checked.expected,
    }
    if checked.ok and query.strip():
        try:
            flt = MentionFilter(query=query)
            out["count"] = count_mentions(con, flt)
            out["posts"] = [
                {k: str(p[k] or "") for k in ("platform", "author", "display_name", "text")}
                | {"created_at": p["created_at"].isoformat()}
                for p in mentions(con, flt, limit=PREVIEW)
            ]
        except (ResonanzError, NotAvailable) as exc:
            out.update(ok=False, message=str(exc))
    return out


async def query_check(request: Request) -> Response:
    """Check a query as it is typed; return errors and a preview of matching posts as JSON."""
    query = request.query_params.get("q", "")[:4000]
    result = await web_context(request).run(_preview, query)
    return JSONResponse(result)


async def topic_save(request: Request) -> Response:
    """Save a topic from the query editor."""
    form = await request.form()
    name, kind, query = (str(form.get(k) or "") for k in ("name", "kind", "query"))
    _ = translator(language(request))
    name = name.strip().lower()
    try:
        if not _TOPIC_NAME.match(name):
            raise ConfigError("a topic name is lower-case letters, digits, - or _ (up to 63)")
        count = await web_context(request).run_store(add_topic, name, kind=kind, query=query[:4000])
    except ResonanzError as exc:
        flash(request, _("topic.failed", error=str(exc)))
    else:
        flash(request, _("topic.saved", name=name, count=count))
    return back(request, "/listening")


def _export_rows(con: duckdb.DuckDBPyConnection, flt: MentionFilter) -> list[dict[str, Any]]:
    return mentions(con, flt, limit=EXPORT_LIMIT)


async def mentions_export(request: Request) -> Response:
    """Download the filtered mention stream as CSV or JSON."""
    fmt = request.path_params["fmt"]
    flt = MentionFilter.from_params(request.query_params)
    try:
        rows = await web_context(request).run(_export_rows, flt)
    except (ResonanzError, NotAvailable) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    if fmt == "json":
        body, media = export_json(rows), "application/json"
    else:
        body, media = export_csv(rows), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="mentions.{"json" if fmt == "json" else "csv"}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


ROUTES = [
    ("/listening", "listening", listening, ["GET"]),
    ("/listening/check", "query_check", query_check, ["GET"]),
    ("/listening/topics", "topic_save", topic_save, ["POST"]),
    ("/listening/export.{fmt:str}", "mentions_export", mentions_export, ["GET"]),
]
