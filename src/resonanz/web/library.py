"""The dashboard's seam to the rest of Resonanz: insights, the query language, engage, publish.

Every call goes through here so that a missing part shows as a "not available yet" panel
instead of an error page, and so that views never hold SQL.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from resonanz.errors import ResonanzError
from resonanz.query import compile_sql, validate
from resonanz.track.links import list_links
from resonanz.track.referrals import list_referrals
from resonanz.track.report import campaign_report


class NotAvailable(ResonanzError):
    """A part of Resonanz the dashboard calls is not installed or not built yet."""


@dataclass(frozen=True)
class Outcome:
    """What an insight (or another library call) gave the page."""

    name: str
    data: dict[str, Any] | None = None
    missing: str | None = None  # why the part is not available
    error: str | None = None  # a ResonanzError's message

    @property
    def ok(self) -> bool:
        """True when there is data to show."""
        return self.data is not None


@dataclass(frozen=True)
class Window:
    """The filters every insight takes."""

    since: datetime | None = None
    until: datetime | None = None
    topics: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def find(module: str, name: str) -> Callable[..., Any]:
    """Return ``module.name`` or raise :class:`NotAvailable` naming what is missing."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise NotAvailable(f"{module} is not available in this installation") from None
    found = getattr(mod, name, None)
    if not callable(found):
        raise NotAvailable(f"{module}.{name} is not available in this installation")
    return found  # type: ignore[no-any-return]


def has(module: str, name: str) -> bool:
    """Return True when ``module.name`` exists."""
    try:
        find(module, name)
    except NotAvailable:
        return False
    return True


def _insight_module(name: str) -> Any:
    try:
        registry = importlib.import_module("resonanz.insights").__dict__.get("INSIGHTS")
    except ImportError:
        registry = None
    if not registry or name not in registry:
        raise NotAvailable(f"the {name} insight is not available in this installation")
    return registry[name]


def insight_params(window: Window) -> Any:
    """Build ``resonanz.insights.params.InsightParams`` from a window, passing what it takes."""
    cls = find("resonanz.insights.params", "InsightParams")
    values: dict[str, Any] = {
        "since": window.since,
        "until": window.until,
        "topics": window.topics or None,
        "platforms": window.platforms or None,
        "languages": window.languages or None,
        **window.extra,
    }
    accepted = inspect.signature(cls).parameters
    return cls(**{k: v for k, v in values.items() if k in accepted and v is not None})


def to_plain(value: Any) -> Any:
    """Turn a result (dataclass, mapping, sequence) into JSON-like plain values."""
    if hasattr(value, "to_dict"):
        return to_plain(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_plain(v) for v in value]
    return value


def run_insight(con: duckdb.DuckDBPyConnection, name: str, window: Window) -> Outcome:
    """Compute insight ``name`` over ``window``; report a missing insight instead of failing."""
    try:
        module = _insight_module(name)
        result = module.compute(con, insight_params(window))
    except NotAvailable as exc:
        return Outcome(name, missing=str(exc))
    except ResonanzError as exc:
        return Outcome(name, error=str(exc))
    plain = to_plain(result)
    return Outcome(name, data=plain if isinstance(plain, dict) else {"result": plain})


def compile_query(query: str) -> tuple[str, list[object]]:
    """Compile a listening query to a SQL condition over posts ``p`` (bound parameters)."""
    fragment, params = compile_sql(query)
    return str(fragment), list(params)


@dataclass(frozen=True)
class QueryCheck:
    """The result of checking a listening query as the user types it."""

    ok: bool
    message: str = ""
    position: int | None = None
    expected: str = ""


def check_query(query: str) -> QueryCheck:
    """Check ``query`` with the query language; say where a syntax error is."""
    problem = validate(query)
    if problem is None:
        return QueryCheck(True)
    return QueryCheck(False, str(problem.message), int(problem.position), str(problem.expected))


def latest_post_time(con: duckdb.DuckDBPyConnection) -> datetime:
    """Return when the newest stored post was written (now when there are none)."""
    row = con.execute("SELECT max(created_at) FROM posts").fetchone()
    value = row[0] if row else None
    return value if isinstance(value, datetime) else datetime.now(UTC)


def campaign_facts(con: duckdb.DuckDBPyConnection) -> Outcome:
    """Return every campaign's report, the tracked links and the referral codes."""
    links = list_links(con)
    names = sorted({str(link["campaign"]) for link in links if link.get("campaign")})
    reports = [to_plain(campaign_report(con, name)) for name in names]
    data = {
        "campaigns": reports,
        "links": to_plain(links),
        "referrals": to_plain(list_referrals(con)),
    }
    return Outcome("campaigns", data=data)
