"""Build the dashboard's Starlette app over one workspace."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import duckdb
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from resonanz.store import Store
from resonanz.track import routes as track_routes
from resonanz.web import api
from resonanz.web.auth import guarded
from resonanz.web.context import WebContext, signing_key
from resonanz.web.jobs import BackgroundJobs, Jobs
from resonanz.web.pages import (
    admin,
    engage,
    insights,
    listening,
    overview,
    posts,
    publishing,
    reports,
    session,
)
from resonanz.workspace import Workspace

SESSION_COOKIE = "resonanz_session"
REPORT_CHECK_S = 900
LOG = logging.getLogger(__name__)
PAGE_GROUPS = (session, overview, listening, posts, insights, engage, publishing, reports, admin)
CSP = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


async def _security_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Add headers that keep injected markup inert even if it ever got through."""
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.url.path.startswith(("/api/", "/inbox", "/settings")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def page_routes() -> list[BaseRoute]:
    """Return every page route, each wrapped in the role check of ``access.ACCESS``."""
    found: list[BaseRoute] = []
    for group in PAGE_GROUPS:
        for path, name, endpoint, methods in group.ROUTES:
            found.append(Route(path, guarded(name, endpoint), name=name, methods=methods))
    return found


def _static() -> Mount:
    folder = resources.files("resonanz.web").joinpath("static")
    return Mount("/static", app=StaticFiles(directory=str(folder)), name="static")


def _track_routes(app: Starlette) -> list[BaseRoute]:
    """Return the tracked-link redirect ``/l/CODE``, recording clicks through the app's store.

    The conversion webhook of ``resonanz.track`` is served by :mod:`resonanz.web.api`
    instead, which also accepts API tokens of role ``shop``.
    """

    def borrow() -> Store:
        context: WebContext = app.state.web
        return context.borrow()

    return [r for r in track_routes(borrow) if getattr(r, "path", "").startswith("/l/")]


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!doctype html><title>Not found</title><h1>Not found</h1>", 404)


def _send_due(con: duckdb.DuckDBPyConnection, workspace: Workspace) -> list[str]:
    from resonanz.report.delivery import send_due  # late: reports load WeasyPrint

    return send_due(workspace, datetime.now(UTC), con)


async def _mail_reports(context: WebContext) -> None:
    """Send the scheduled ``[[web.reports]]`` while the server runs (checked every 15 min)."""
    from resonanz.report.delivery import DeliveryError

    if not context.workspace.settings.web.reports:
        return
    while True:
        try:
            for line in await context.run(_send_due, context.workspace):
                LOG.info("%s", line)
        except DeliveryError as exc:
            LOG.warning("scheduled report not sent: %s", exc)
        await asyncio.sleep(REPORT_CHECK_S)


def create_app(workspace: Workspace, jobs: Jobs | None = None) -> Starlette:
    """Return the dashboard app; it opens the workspace as its single writer while it runs.

    ``jobs`` says whether it also listens to the sources and publishes scheduled posts
    while it runs (see :mod:`resonanz.web.jobs`).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store = workspace.open(write=True)
        app.state.web = WebContext(workspace, store)
        mailer = asyncio.create_task(_mail_reports(app.state.web))
        background = BackgroundJobs(workspace, store, jobs or Jobs())
        background.start()
        try:
            yield
        finally:
            await asyncio.to_thread(background.stop)
            mailer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await mailer
            store.close()

    web = workspace.settings.web
    middleware = [
        Middleware(BaseHTTPMiddleware, dispatch=_security_headers),
        Middleware(
            SessionMiddleware,
            secret_key=signing_key(workspace),
            session_cookie=SESSION_COOKIE,
            max_age=web.session_hours * 3600,
            same_site="lax",
            https_only=web.secure_cookies,
        ),
    ]
    routes: list[Any] = [*page_routes(), *api.routes(), _static()]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={404: _not_found},
    )
    app.router.routes.extend(_track_routes(app))
    return app
