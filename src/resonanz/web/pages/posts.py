"""One post in full, with its author, its enrichment, and the analysts' corrections."""

from __future__ import annotations

from typing import Any

import duckdb
from starlette.requests import Request
from starlette.responses import Response

from resonanz.errors import ResonanzError
from resonanz.records import EMOTIONS, INTENTS, SENTIMENTS
from resonanz.web.auth import current_user
from resonanz.web.context import web_context
from resonanz.web.corrections import correct, history, to_jsonl, training_rows
from resonanz.web.i18n import translator
from resonanz.web.posts import author_of, post_by_id
from resonanz.web.render import back, flash, language, page


def _detail(con: duckdb.DuckDBPyConnection, platform: str, native_id: str) -> dict[str, Any]:
    post = post_by_id(con, platform, native_id)
    return {
        "post": post,
        "author": author_of(con, platform, post["author"]) if post else None,
        "history": history(con, platform, native_id) if post else [],
    }


async def post_detail(request: Request) -> Response:
    """Show one post."""
    platform, native_id = request.path_params["platform"], request.path_params["native_id"]
    data = await web_context(request).run(_detail, platform, native_id)
    _ = translator(language(request))
    if data["post"] is None:
        return await page(request, "error.html", 404, title="404", message=_("error.not_found"))
    return await page(
        request,
        "post.html",
        title=_("post.title"),
        sentiments=SENTIMENTS,
        emotions=EMOTIONS,
        intents=INTENTS,
        **data,
    )


async def post_correct(request: Request) -> Response:
    """Correct a post's sentiment, emotion, aspects or intents."""
    platform, native_id = request.path_params["platform"], request.path_params["native_id"]
    form = await request.form()
    user = await current_user(request)
    assert user is not None  # guaranteed by the role check
    field = str(form.get("field") or "")
    value: object
    if field == "intents":
        value = [str(v) for v in form.getlist("intents")]
    elif field == "aspects":
        raw = str(form.get("aspects") or "")
        value = [part.strip() for part in raw.split(",") if part.strip()]
    else:
        value = str(form.get(field) or "")
    _ = translator(language(request))
    try:
        await web_context(request).run(correct, platform, native_id, field, value, user.username)
    except ResonanzError as exc:
        flash(request, _("correction.failed", error=str(exc)))
    else:
        flash(request, _("correction.saved"))
    return back(request, "/listening")


async def corrections_export(request: Request) -> Response:
    """Download the corrections as ``resonanz train`` JSONL."""
    field = request.query_params.get("field") or None

    def rows(con: duckdb.DuckDBPyConnection) -> str:
        return to_jsonl(training_rows(con, field))

    body = await web_context(request).run(rows)
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="corrections.jsonl"'},
    )


ROUTES = [
    ("/posts/{platform}/{native_id:path}/correct", "post_correct", post_correct, ["POST"]),
    ("/posts/{platform}/{native_id:path}", "post_detail", post_detail, ["GET"]),
    ("/corrections.jsonl", "corrections_export", corrections_export, ["GET"]),
]
