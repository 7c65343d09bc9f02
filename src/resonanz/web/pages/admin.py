"""Settings: topics, accounts with write-only credentials, alert rules, users, API tokens."""

from __future__ import annotations

import re
from typing import Any

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from resonanz.errors import ResonanzError
from resonanz.query.topics import list_topics, remove_topic
from resonanz.vault import Vault
from resonanz.web.auth import current_user
from resonanz.web.context import web_context
from resonanz.web.i18n import translator
from resonanz.web.library import to_plain
from resonanz.web.render import back, flash, language, page
from resonanz.web.users import (
    ROLES,
    TOKEN_ROLES,
    add_user,
    create_token,
    list_tokens,
    list_users,
    remove_user,
)

_SECRET_NAME = re.compile(r"^[A-Za-z0-9_.:@-]{1,100}$")


def _facts(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    return {"topics": list_topics(con), "users": list_users(con), "tokens": list_tokens(con)}


async def settings(request: Request) -> Response:
    """Show the workspace settings."""
    return await _settings_page(request)


async def _settings_page(request: Request, new_token: str | None = None) -> Response:
    ctx = web_context(request)
    facts = await ctx.run(_facts)
    _ = translator(language(request))
    stored = await run_in_threadpool(lambda: Vault(ctx.workspace.folder).names())
    return await page(
        request,
        "settings.html",
        title=_("nav.settings"),
        accounts=ctx.workspace.settings.accounts,
        sources=ctx.workspace.settings.sources,
        alert_rules=to_plain(ctx.workspace.settings.alerts.model_dump()),
        stored_secrets=stored,
        roles=ROLES,
        token_roles=TOKEN_ROLES,
        new_token=new_token,
        **facts,
    )


async def _form(request: Request, *names: str) -> list[str]:
    form = await request.form()
    return [str(form.get(n) or "").strip() for n in names]


async def topic_delete(request: Request) -> Response:
    """Delete a topic made in the dashboard."""
    (name,) = await _form(request, "name")
    _ = translator(language(request))
    try:
        await web_context(request).run_store(remove_topic, name)
    except ResonanzError as exc:
        flash(request, str(exc))
    else:
        flash(request, _("settings.deleted", name=name))
    return back(request, "/settings")


async def credential(request: Request) -> Response:
    """Store a credential encrypted in the workspace; it is never shown again."""
    name, value = await _form(request, "name", "value")
    _ = translator(language(request))
    if not _SECRET_NAME.match(name) or not value:
        flash(request, _("settings.secret_invalid"))
        return back(request, "/settings")
    folder = web_context(request).workspace.folder
    await run_in_threadpool(lambda: Vault(folder).set(name, value))
    flash(request, _("settings.secret_saved", name=name))
    return back(request, "/settings")


async def user_add(request: Request) -> Response:
    """Add a user."""
    username, password, role = await _form(request, "username", "password", "role")
    _ = translator(language(request))
    try:
        await web_context(request).run(add_user, username, password, role)
    except ResonanzError as exc:
        flash(request, str(exc))
    else:
        flash(request, _("settings.user_added", name=username))
    return back(request, "/settings")


async def user_remove(request: Request) -> Response:
    """Remove a user (not oneself, so that an admin always remains)."""
    (username,) = await _form(request, "username")
    _ = translator(language(request))
    me = await current_user(request)
    if me is not None and me.username == username:
        flash(request, _("settings.not_yourself"))
    else:
        await web_context(request).run(remove_user, username)
        flash(request, _("settings.deleted", name=username))
    return back(request, "/settings")


async def token_create(request: Request) -> Response:
    """Create an API token and show its secret once (in this response only)."""
    name, role = await _form(request, "name", "role")
    try:
        _token, secret = await web_context(request).run(create_token, name or "token", role)
    except ResonanzError as exc:
        flash(request, str(exc))
        return back(request, "/settings")
    return await _settings_page(request, new_token=secret)


ROUTES = [
    ("/settings", "settings", settings, ["GET"]),
    ("/settings/topics/delete", "settings_topic_delete", topic_delete, ["POST"]),
    ("/settings/credentials", "settings_credential", credential, ["POST"]),
    ("/settings/users", "settings_user_add", user_add, ["POST"]),
    ("/settings/users/remove", "settings_user_remove", user_remove, ["POST"]),
    ("/settings/tokens", "settings_token_create", token_create, ["POST"]),
]
