"""Send reports by e-mail, now or when a ``[[web.reports]]`` schedule is due."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

import duckdb

from resonanz.errors import ResonanzError
from resonanz.mail import SEND_ERRORS, SmtpSettings, build_message, send_message
from resonanz.report.files import report_bytes
from resonanz.store.writer import get_cursor, set_cursor
from resonanz.web.settings import ReportSchedule
from resonanz.workspace import Workspace

PERIODS = {"day": timedelta(days=1), "week": timedelta(days=7), "month": timedelta(days=30)}
_CURSOR = "web-report:{index}"


class DeliveryError(ResonanzError):
    """A report could not be sent."""


def _message(
    smtp: SmtpSettings, to: list[str], subject: str, body: bytes, fmt: str
) -> EmailMessage:
    msg = build_message(smtp.sender, to, subject, f"{subject}\n\nThe report is attached.")
    maintype, subtype = ("application", "pdf") if fmt == "pdf" else ("text", "html")
    msg.add_attachment(body, maintype=maintype, subtype=subtype, filename=f"report.{fmt}")
    return msg


def deliver(ws: Workspace, msg: EmailMessage) -> None:
    """Send one message through the workspace's ``[web.smtp]`` server."""
    smtp = ws.settings.web.smtp
    try:
        send_message(smtp, msg, ws.folder)
    except SEND_ERRORS as exc:
        raise DeliveryError(
            f"cannot send the report via {smtp.host}:{smtp.port} ({exc}); check [web.smtp]"
        ) from None


def send_report(
    ws: Workspace,
    since: datetime,
    until: datetime,
    to: list[str],
    fmt: str,
    lang: str,
    con: duckdb.DuckDBPyConnection | None = None,
) -> None:
    """Build the report of ``[since, until)`` and e-mail it to ``to``."""
    body = report_bytes(ws, since, until, fmt, lang, con)
    last = (until - timedelta(days=1)).date().isoformat()
    subject = f"{ws.settings.workspace.name}: report {since.date().isoformat()} – {last}"
    deliver(ws, _message(ws.settings.web.smtp, to, subject, body, fmt))


def due(schedule: ReportSchedule, last_sent: datetime | None, now: datetime) -> bool:
    """Return True when a schedule's period has passed since it was last sent."""
    return last_sent is None or now - last_sent >= PERIODS[schedule.every]


def send_due(
    ws: Workspace, now: datetime, con: duckdb.DuckDBPyConnection | None = None
) -> list[str]:
    """Send every scheduled report that is due; remember when each was sent.

    ``con`` is an open connection to use (the server's); without it the workspace is opened.
    """
    if con is None:
        if not ws.settings.web.reports:
            return []
        with ws.open(write=True) as store:
            return send_due(ws, now, store.con)
    done: list[str] = []
    for index, schedule in enumerate(ws.settings.web.reports):
        key = _CURSOR.format(index=index)
        stored = get_cursor(con, key)
        last = datetime.fromisoformat(stored) if stored else None
        if not due(schedule, last, now):
            continue
        until = datetime.combine(now.astimezone(UTC).date(), time.min, UTC)
        since = until - PERIODS[schedule.every]
        send_report(ws, since, until, schedule.to, schedule.format, schedule.language, con)
        set_cursor(con, key, now.isoformat())
        done.append(f"Sent the {schedule.every}ly report to {', '.join(schedule.to)}")
    return done
