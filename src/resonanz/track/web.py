"""HTTP routes of tracking: ``GET /l/CODE`` (redirect + click) and ``POST /api/conversions``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.errors import ResonanzError
from resonanz.store import Store
from resonanz.track.clicks import record_click
from resonanz.track.conversions import authorized, record_conversion
from resonanz.track.links import resolve
from resonanz.workspace import Workspace

#: Gives a writable store for one request (the web app may hand out its long-lived one).
StoreFactory = Callable[[], AbstractContextManager[Store]]


class _Tracking:
    def __init__(self, source: Workspace | StoreFactory, secret: str | None) -> None:
        if isinstance(source, Workspace):
            workspace = source
            self.factory: StoreFactory = lambda: workspace.open(write=True)
            token = workspace.settings.publish.conversion_token
            self.secret = secret or (token.reveal(workspace.folder) if token else None)
        else:
            self.factory, self.secret = source, secret
        self.lock = threading.Lock()  # one DuckDB connection is not shared between threads

    def redirect(self, code: str, ip: str | None, agent: str | None, ref: str | None) -> str | None:
        with self.lock, self.factory() as store:
            target = resolve(store.con, code)
            if target is not None and store.writable:
                with store.transaction() as con:
                    record_click(con, code, ip=ip, user_agent=agent, referer=ref)
            return target

    def convert(self, data: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
        with self.lock, self.factory() as store, store.transaction() as con:
            return record_conversion(con, data)


def routes(
    source: Workspace | StoreFactory, *, conversion_secret: str | None = None
) -> list[BaseRoute]:
    """Return the tracking routes for the web app to mount.

    ``source`` is the workspace (a writer store is opened per request) or a factory giving
    the app's own store. The conversion API needs ``conversion_secret`` or
    ``[publish].conversion_token``; without one it answers 503.
    """
    tracking = _Tracking(source, conversion_secret)

    async def short_link(request: Request) -> Response:
        code = request.path_params["code"]
        target = await run_in_threadpool(
            tracking.redirect,
            code,
            request.client.host if request.client else None,
            request.headers.get("user-agent"),
            request.headers.get("referer"),
        )
        if target is None:
            return PlainTextResponse("unknown link", status_code=404)
        return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})

    async def conversion(request: Request) -> Response:
        if not tracking.secret:
            return JSONResponse(
                {"error": "conversions are off; set [publish].conversion_token"}, status_code=503
            )
        body = await request.body()
        if not authorized(request.headers, body, tracking.secret):
            return JSONResponse({"error": "missing or wrong token/signature"}, status_code=401)
        try:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            new, where = await run_in_threadpool(tracking.convert, data)
        except (ValueError, ResonanzError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse(
            {"recorded": new, "attribution": where}, status_code=201 if new else 200
        )

    return [
        Route("/l/{code:str}", short_link, methods=["GET", "HEAD"]),
        Route("/api/conversions", conversion, methods=["POST"]),
    ]
