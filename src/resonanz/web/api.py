"""The JSON API: the dashboard's data for scripts, with bearer-token authentication.

Only tokens are accepted here (never the session cookie), so no request can ride on a
logged-in browser. The shop reports conversions to ``POST /api/conversions``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from resonanz.engage.inbox import list_inbox
from resonanz.errors import ResonanzError
from resonanz.query.topics import list_topics
from resonanz.track.conversions import authorized, record_conversion
from resonanz.web.access import API_ACCESS, allowed
from resonanz.web.context import web_context
from resonanz.web.library import NotAvailable, Outcome, run_insight, to_plain
from resonanz.web.mentions import MentionFilter, count_mentions, mentions
from resonanz.web.openapi import document
from resonanz.web.pages.common import window_of
from resonanz.web.users import token_role

Endpoint = Callable[[Request], Awaitable[Response]]
MAX_LIMIT = 500


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json.loads(json.dumps(data, default=str)), status_code=status)


def api_guarded(name: str, endpoint: Endpoint) -> Endpoint:
    """Wrap an API endpoint with the token check of ``API_ACCESS[name]``."""
    if name not in API_ACCESS:
        raise KeyError(f"API route {name!r} is missing from resonanz.web.access.API_ACCESS")

    async def check(request: Request) -> Response:
        role: str | None = None
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            found = await web_context(request).run(token_role, header[7:].strip())
            role = found[1] if found else None
        if role is None and name == "api_conversion" and await _shop_signed(request):
            role = "shop"
        if not allowed(name, role, API_ACCESS):
            status = 401 if role is None else 403
            return _json({"error": "a valid API token with the right role is needed"}, status)
        return await endpoint(request)

    check.__name__ = getattr(endpoint, "__name__", name)
    return check


async def _shop_signed(request: Request) -> bool:
    """Accept the shop's shared secret (``[publish] conversion_token``): bearer or HMAC."""
    configured = web_context(request).workspace.settings.publish.conversion_token
    if configured is None:
        return False
    folder = web_context(request).workspace.folder
    return authorized(request.headers, await request.body(), configured.reveal(folder))


async def openapi(request: Request) -> Response:
    """Return the OpenAPI document."""
    return _json(document())


async def stats(request: Request) -> Response:
    """Return the number of mentions in the window."""
    form, _window, _options = await window_of(request)
    flt = MentionFilter(
        topic=form.topic, platform=form.platform, lang=form.lang, since=form.since, until=form.until
    )
    total = await web_context(request).run(count_mentions, flt)
    return _json({"since": form.since, "until": form.until, "mentions": total})


def _outcome(outcome: Outcome) -> Response:
    if outcome.missing:
        return _json({"error": outcome.missing}, 501)
    if outcome.error:
        return _json({"error": outcome.error}, 400)
    return _json(outcome.data)


async def insight(request: Request) -> Response:
    """Return one insight's result over the window."""
    _form, window, _options = await window_of(request)
    result = await web_context(request).run(run_insight, request.path_params["name"], window)
    return _outcome(result)


async def mention_list(request: Request) -> Response:
    """Return filtered mentions, newest first."""
    flt = MentionFilter.from_params(request.query_params)
    try:
        limit = min(MAX_LIMIT, max(1, int(request.query_params.get("limit", "100"))))
        offset = max(0, int(request.query_params.get("offset", "0")))
        rows = await web_context(request).run(mentions, flt, limit=limit, offset=offset)
    except ValueError:
        return _json({"error": "limit and offset are whole numbers"}, 400)
    except (ResonanzError, NotAvailable) as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"mentions": rows})


async def topics(request: Request) -> Response:
    """Return the topics."""
    found = await web_context(request).run(list_topics)
    return _json({"topics": to_plain(found)})


async def inbox(request: Request) -> Response:
    """Return the open inbox items, most urgent first."""
    ctx = web_context(request)
    items = await ctx.run(list_inbox, ctx.workspace.settings)
    return _json({"items": to_plain(items)})


async def conversion(request: Request) -> Response:
    """Record a conversion reported by the shop (JSON body)."""
    try:
        body = await request.json()
    except ValueError:
        return _json({"error": "the body must be a JSON object"}, 400)
    if not isinstance(body, dict):
        return _json({"error": "the body must be a JSON object"}, 400)

    try:
        new, where = await web_context(request).run(record_conversion, body)
    except ResonanzError as exc:
        return _json({"error": str(exc)}, 400)
    return _json({"new": new, "attribution": to_plain(where)}, 201 if new else 200)


def routes() -> list[Route]:
    """Return the API's routes, each behind its token check."""
    table = [
        ("/api/openapi.json", "api_openapi", openapi, ["GET"]),
        ("/api/stats", "api_stats", stats, ["GET"]),
        ("/api/insights/{name}", "api_insight", insight, ["GET"]),
        ("/api/mentions", "api_mentions", mention_list, ["GET"]),
        ("/api/topics", "api_topics", topics, ["GET"]),
        ("/api/inbox", "api_inbox", inbox, ["GET"]),
        ("/api/conversions", "api_conversion", conversion, ["POST"]),
    ]
    return [Route(p, api_guarded(n, e), name=n, methods=m) for p, n, e, m in table]
