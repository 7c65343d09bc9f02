"""Render a report to one self-contained HTML document, or to PDF with WeasyPrint."""

from __future__ import annotations

from functools import cache

import jinja2

from resonanz.report.build import Report
from resonanz.web.i18n import term_translator, translator
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


def render_html(report: Report, *, for_pdf: bool = False) -> str:
    """Return the report as one HTML document (charts inline as SVG images).

    ``for_pdf`` leaves out the charts' data tables, which only the HTML form can fold away;
    the PDF keeps each chart's text alternative and the sections' own tables.
    """
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        _=translator(report.lang),
        term=term_translator(report.lang),
        lang=report.lang,
        for_pdf=for_pdf,
    )


def render_pdf(report: Report) -> bytes:
    """Return the report as PDF."""
    import weasyprint  # late: loading it takes a moment and most commands never need it

    pdf = weasyprint.HTML(string=render_html(report, for_pdf=True)).write_pdf()
    assert isinstance(pdf, bytes)
    return pdf
