"""Write a report of a workspace to a file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from resonanz.errors import ResonanzError
from resonanz.report.build import build_report
from resonanz.report.render import render_html, render_pdf
from resonanz.workspace import Workspace


def report_bytes(
    ws: Workspace,
    since: datetime,
    until: datetime,
    fmt: str,
    lang: str,
    con: duckdb.DuckDBPyConnection | None = None,
) -> bytes:
    """Build the report of ``[since, until)`` as PDF or HTML bytes.

    ``con`` is an open connection to use (the server's); without it the workspace is opened.
    """
    if fmt not in ("pdf", "html"):
        raise ResonanzError(f"a report is pdf or html, not {fmt!r}")
    if con is None:
        with ws.open(write=True) as store:
            return report_bytes(ws, since, until, fmt, lang, store.con)
    report = build_report(con, ws.settings.workspace.name, since, until, lang)
    return render_pdf(report) if fmt == "pdf" else render_html(report).encode("utf-8")


def write_report(ws: Workspace, since: datetime, until: datetime, path: Path, lang: str) -> None:
    """Write the report to ``path``; its suffix (.pdf or .html) picks the format."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise ResonanzError(f"write the report to a .pdf or .html file, not {path.name}")
    path.write_bytes(report_bytes(ws, since, until, fmt, lang))
