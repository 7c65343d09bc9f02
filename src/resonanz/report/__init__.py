"""HTML and PDF reports built from the same insight results and charts as the dashboard."""

from __future__ import annotations

from resonanz.report.build import Report, build_report
from resonanz.report.render import render_html, render_pdf

__all__ = ["Report", "build_report", "render_html", "render_pdf"]
