"""Log-in sessions, CSRF tokens and the role check wrapped around every route.

Sessions live in Starlette's signed (itsdangerous) cookie, HttpOnly and SameSite=Lax; the
cookie holds the user's id, the user's session epoch (bumped on a password or role change to
end old sessions) and the CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from resonanz.web.access import ACCESS, allowed
from resonanz.web.context import web_context
from resonanz.web.users import User, user_by_id

Endpoint = Callable[[Request], Awaitable[Response]]
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_UNSET = object()  # "not looked up yet", unlike None ("nobody logged in")


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating one on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """Return True when a changing request carries the session's CSRF token."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str):
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and hmac.compare_digest(given, expected)


def log_in(request: Request, user: User) -> None:
    """Start a session for ``user`` with fresh tokens (no fixation of an old session)."""
    lang = request.session.get("lang")
    request.session.clear()
    request.session.update({"uid": user.id, "epoch": user.session_epoch})
    if isinstance(lang, str):
        request.session["lang"] = lang
    csrf_token(request)


def log_out(request: Request) -> None:
    """End the session."""
    request.session.clear()


async def current_user(request: Request) -> User | None:
    """Return the logged-in user, or None (also when the session was ended elsewhere)."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is None or isinstance(cached, User):
        return cached
    uid = request.session.get("uid")
    user: User | None = None
    if isinstance(uid, int):
        user = await web_context(request).run(user_by_id, uid)
        if user is not None and user.session_epoch != request.session.get("epoch"):
            user = None
    request.state.user = user
    return user


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or (
        request.headers.get("hx-request") == "true"
    )


def _to_login(request: Request) -> Response:
    if request.method not in SAFE_METHODS or _wants_json(request):
        return JSONResponse({"error": "log in first"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def guarded(name: str, endpoint: Endpoint) -> Endpoint:
    """Wrap ``endpoint`` so that only the roles of ``ACCESS[name]`` reach it, with CSRF checked."""
    if name not in ACCESS:
        raise KeyError(f"route {name!r} is missing from resonanz.web.access.ACCESS")

    async def check(request: Request) -> Response:
        request.state.route_name = name
        user = await current_user(request)
        role = user.role if user else None
        if not allowed(name, role):
            if user is None:
                return _to_login(request)
            return PlainTextResponse("Forbidden: your role may not do this.", status_code=403)
        if request.method not in SAFE_METHODS and not await csrf_ok(request):
            return PlainTextResponse(
                "Forbidden: the form is stale (CSRF check). Reload the page and try again.",
                status_code=403,
            )
        return await endpoint(request)

    check.__name__ = getattr(endpoint, "__name__", name)
    check.__doc__ = endpoint.__doc__
    return check
