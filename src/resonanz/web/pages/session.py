"""Log in, log out, choose the language, answer health checks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from resonanz.web.auth import current_user, log_in, log_out
from resonanz.web.context import web_context
from resonanz.web.i18n import LANGUAGES, translator
from resonanz.web.render import language, page
from resonanz.web.users import authenticate


def _local(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the overview (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def login(request: Request) -> Response:
    """Show the login form."""
    lang = request.query_params.get("lang")
    if lang in LANGUAGES:
        request.session["lang"] = lang
    if await current_user(request) is not None:
        return RedirectResponse(_local(request.query_params.get("next")), status_code=303)
    return await page(
        request, "login.html", next=_local(request.query_params.get("next")), error=None
    )


async def login_submit(request: Request) -> Response:
    """Check the password and start a session."""
    form = await request.form()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")[:1024]
    target = _local(str(form.get("next") or ""))
    user = await web_context(request).run(authenticate, username, password)
    if user is None:
        message = translator(language(request))("login.failed")
        request.state.user = None
        return await page(request, "login.html", http_status=401, next=target, error=message)
    log_in(request, user)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    """End the session."""
    log_out(request)
    return RedirectResponse("/login", status_code=303)


async def choose_language(request: Request) -> Response:
    """Switch the UI language and go back."""
    lang = request.path_params["code"]
    if lang in LANGUAGES:
        request.session["lang"] = lang
    referer = request.headers.get("referer", "")
    base = str(request.base_url)
    target = "/" + referer[len(base) :] if referer.startswith(base) else "/"
    return RedirectResponse(_local(target), status_code=303)


async def health(request: Request) -> Response:
    """Answer that the server runs."""
    return JSONResponse({"status": "ok"})


ROUTES = [
    ("/login", "login", login, ["GET"]),
    ("/login", "login_submit", login_submit, ["POST"]),
    ("/logout", "logout", logout, ["POST"]),
    ("/lang/{code}", "language", choose_language, ["GET"]),
    ("/health", "health", health, ["GET"]),
]
