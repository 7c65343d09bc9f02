"""Render a report to one self-contained HTML document, or to PDF with WeasyPrint."""

from __future__ import annotations

from functools import cache

import jinja2

from resonanz.report.build import Report
from resonanz.web.i18n import translator
from resonanz.web.render import environment as web_environment


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("resonanz.report", "templates"),
                jinja2.PackageLoader("resonanz.web", "templates"),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(web_environment().filters)
    return env


def render_html(report: Report) -> str:
    """Return the report as one HTML document (charts inline as SVG images)."""
    template = _environment().get_template("report.html")
    return template.render(report=report, _=translator(report.lang), lang=report.lang)


def render_pdf(report: Report) -> bytes:
    """Return the report as PDF."""
    import weasyprint  # late: loading it takes a moment and most commands never need it

    pdf = weasyprint.HTML(string=render_html(report)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
