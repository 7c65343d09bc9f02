"""Reports: choose a window and download it as PDF or HTML."""

from __future__ import annotations

import duckdb
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from resonanz.report import Report, build_report, render_html, render_pdf
from resonanz.web.context import web_context
from resonanz.web.i18n import LANGUAGES, translator
from resonanz.web.pages.common import window_of
from resonanz.web.render import language, page


async def reports(request: Request) -> Response:
    """Show the report form and the scheduled reports."""
    form, _window, _options = await window_of(request, days=7)
    _ = translator(language(request))
    schedules = web_context(request).workspace.settings.web.reports
    return await page(
        request, "reports.html", title=_("nav.reports"), window=form, schedules=schedules
    )


async def report_download(request: Request) -> Response:
    """Build the report for the chosen window and send it as a file."""
    form, window, _options = await window_of(request, days=7)
    ctx = web_context(request)
    lang = request.query_params.get("lang", "")
    lang = lang if lang in LANGUAGES else language(request)
    fmt = "html" if request.query_params.get("format") == "html" else "pdf"
    since, until = window.since, window.until
    assert since is not None and until is not None

    def build(con: duckdb.DuckDBPyConnection) -> Report:
        return build_report(con, ctx.workspace.settings.workspace.name, since, until, lang)

    report = await ctx.run(build)
    name = f"resonanz-report-{form.since}-{form.until}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "html":
        return Response(render_html(report), media_type="text/html", headers=headers)
    pdf = await run_in_threadpool(render_pdf, report)
    return Response(pdf, media_type="application/pdf", headers=headers)


ROUTES = [
    ("/reports", "reports", reports, ["GET"]),
    ("/reports/download", "report_download", report_download, ["GET"]),
]
