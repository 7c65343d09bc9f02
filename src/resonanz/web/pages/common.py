"""What several page groups share: the time window and filters read from the query string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb
from starlette.requests import Request

from resonanz.web.context import web_context
from resonanz.web.library import Window, latest_post_time
from resonanz.web.mentions import filter_options

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class WindowForm:
    """The window as the filter form shows it (ISO dates and names)."""

    since: str
    until: str
    topic: str = ""
    platform: str = ""
    lang: str = ""

    def query(self) -> str:
        """Return the form's values as a query string."""
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def read_window(
    params: Any, latest: datetime, days: int = DEFAULT_DAYS
) -> tuple[WindowForm, Window]:
    """Read since/until/topic/platform/lang; default to the last ``days`` days of data."""
    until_day = _parse_day(params.get("until")) or latest.astimezone(UTC).date()
    since_day = _parse_day(params.get("since")) or until_day - timedelta(days=days - 1)
    if since_day > until_day:
        since_day, until_day = until_day, since_day
    form = WindowForm(
        since_day.isoformat(),
        until_day.isoformat(),
        str(params.get("topic") or "")[:200],
        str(params.get("platform") or "")[:100],
        str(params.get("lang") or "")[:20],
    )
    window = Window(
        since=datetime.combine(since_day, time.min, UTC),
        until=datetime.combine(until_day + timedelta(days=1), time.min, UTC),
        topics=(form.topic,) if form.topic else (),
        platforms=(form.platform,) if form.platform else (),
        languages=(form.lang,) if form.lang else (),
    )
    return form, window


def _window_facts(con: duckdb.DuckDBPyConnection) -> tuple[datetime, dict[str, list[str]]]:
    return latest_post_time(con), filter_options(con)


async def window_of(
    request: Request, days: int = DEFAULT_DAYS
) -> tuple[WindowForm, Window, dict[str, list[str]]]:
    """Return the request's window form, the window, and the values the filters offer."""
    latest, options = await web_context(request).run(_window_facts)
    form, window = read_window(request.query_params, latest, days)
    return form, window, options
