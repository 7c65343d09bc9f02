"""Render pages: one Jinja2 environment (autoescape always on) and the shared page context."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, Final

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse

from resonanz.web.access import allowed
from resonanz.web.auth import csrf_token, current_user
from resonanz.web.context import web_context
from resonanz.web.i18n import LANGUAGES, negotiate, term_translator, translator
from resonanz.web.present import blocks

#: Navigation: (route name, message key), in menu order.
NAV: Final = (
    ("overview", "nav.overview"),
    ("listening", "nav.listening"),
    ("sentiment", "nav.sentiment"),
    ("feedback", "nav.feedback"),
    ("competitors", "nav.competitors"),
    ("trends", "nav.trends"),
    ("leaders", "nav.leaders"),
    ("cascades", "nav.cascades"),
    ("alerts", "nav.alerts"),
    ("inbox", "nav.inbox"),
    ("calendar", "nav.calendar"),
    ("campaigns", "nav.campaigns"),
    ("reports", "nav.reports"),
    ("settings", "nav.settings"),
)


def _number(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "–" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "\u202f") if abs(value) >= 100 else f"{value:.3g}"
    return str(value)


def _when(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and len(value) >= 16 and value[4] == "-" and "T" in value:
        return value[:16].replace("T", " ")
    return "" if value is None else str(value)


def _is_web_url(value: object) -> bool:
    """Return True for http(s) URLs only, so that no ``javascript:`` link is ever rendered."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def _combine_author(post: dict[str, Any], author: dict[str, Any] | None) -> dict[str, Any]:
    extra = {"display_name": None, "stakeholder": None}
    if author:
        extra = {
            "display_name": author.get("display_name"),
            "stakeholder": author.get("stakeholder"),
        }
    return {**post, **extra}


@cache
def environment() -> jinja2.Environment:
    """Return the template environment; autoescaping is on for every template."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("resonanz.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["when"] = _when
    env.filters["is_web_url"] = _is_web_url
    env.filters["combine_author"] = _combine_author
    env.filters["blocks"] = lambda data: blocks(data, charts=False)
    return env


def language(request: Request) -> str:
    """Return the UI language: the user's choice, else the browser's, else the default."""
    chosen = request.session.get("lang")
    if isinstance(chosen, str) and chosen in LANGUAGES:
        return chosen
    default = web_context(request).workspace.settings.web.default_language
    return negotiate(request.headers.get("accept-language"), default)


async def page(
    request: Request, template: str, http_status: int = 200, **values: Any
) -> HTMLResponse:
    """Render ``template`` with the shared context (user, menu, language, CSRF token)."""
    user = await current_user(request)
    lang = language(request)
    role = user.role if user else None
    nav = [(name, key) for name, key in NAV if allowed(name, role)] if user else []
    flash = request.session.pop("flash", None)
    context = {
        "request": request,
        "user": user,
        "role": role,
        "lang": lang,
        "_": translator(lang),
        "term": term_translator(lang),
        "csrf": csrf_token(request),
        "nav": nav,
        "current": getattr(request.state, "route_name", ""),
        "can": lambda name: allowed(name, role),
        "workspace_name": web_context(request).workspace.settings.workspace.name,
        "flash": flash if isinstance(flash, str) else None,
        **values,
    }
    html = environment().get_template(template).render(context)
    return HTMLResponse(html, status_code=http_status)


def flash(request: Request, message: str) -> None:
    """Keep a one-line message for the next page the user sees."""
    request.session["flash"] = message


def back(request: Request, fallback: str) -> RedirectResponse:
    """Redirect after a POST to a local page (never to another site)."""
    target = request.headers.get("referer", "")
    base = str(request.base_url)
    path = target[len(base) - 1 :] if target.startswith(base) else fallback
    return RedirectResponse(path or fallback, status_code=303)
