"""Parameters every insight accepts, and the shared SQL filter built from them.

Every user value reaches DuckDB as a bound parameter; only fixed identifiers (the table
alias) are formatted into the SQL text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import duckdb

#: Bucket widths an insight's time series may use.
BUCKETS: Final = {"hour": "1 hour", "day": "1 day", "week": "1 week"}
_ALIAS = re.compile(r"^[a-z_][a-z0-9_]*$")
_COLUMN = re.compile(r"^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class InsightParams:
    """What slice of the stored posts an insight looks at, plus insight-specific extras.

    ``since`` is inclusive, ``until`` exclusive; both are aware datetimes (naive ones are
    read as UTC). Empty tuples mean "no filter". ``own_accounts`` are ``(platform, handle)``
    pairs of our own accounts (added to those in the ``accounts`` table).
    """

    since: datetime | None = None
    until: datetime | None = None
    topics: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    bucket: str = "day"
    limit: int = 20
    timezone: str = "UTC"
    own_accounts: tuple[tuple[str, str], ...] = ()
    #: trends: the width of the window compared with the same window in earlier weeks.
    window: timedelta = timedelta(days=1)
    #: trends: how many earlier weeks form the seasonal baseline.
    baseline_weeks: int = 4
    #: cascades: the smallest cascade reported.
    min_size: int = 5
    #: response-times: the response target.
    target: timedelta = timedelta(hours=4)

    def __post_init__(self) -> None:
        if self.bucket not in BUCKETS:
            raise ValueError(f"bucket must be one of {', '.join(BUCKETS)}, not {self.bucket!r}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                object.__setattr__(self, name, value.replace(tzinfo=UTC))

    def replace(self, **changes: Any) -> InsightParams:
        """Return a copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def interval(self) -> str:
        """The bucket width as a DuckDB interval literal (a fixed, validated value)."""
        return BUCKETS[self.bucket]


def bucket_sql(params: InsightParams, column: str = "p.created_at") -> str:
    """Return the SQL of a timestamp column's UTC time bucket (a naive UTC ``TIMESTAMP``).

    ``make_timestamp(epoch_us(x))`` is the same value as ``x AT TIME ZONE 'UTC'`` but skips
    the time zone library, which costs several full scans on large tables.

    >>> bucket_sql(InsightParams(bucket="hour"))
    "time_bucket(INTERVAL '1 hour', make_timestamp(epoch_us(p.created_at)))"
    """
    if not _COLUMN.match(column):
        raise ValueError(f"not a column reference: {column!r}")
    return f"time_bucket(INTERVAL '{params.interval}', make_timestamp(epoch_us({column})))"


def post_filter(params: InsightParams, alias: str = "p") -> tuple[str, list[object]]:
    """Return a WHERE fragment over posts table ``alias`` and its bound parameters.

    >>> post_filter(InsightParams(platforms=("mastodon",)))
    ('p.platform IN (?)', ['mastodon'])
    """
    if not _ALIAS.match(alias):
        raise ValueError(f"not a table alias: {alias!r}")
    clauses: list[str] = []
    args: list[object] = []
    if params.since is not None:
        clauses.append(f"{alias}.created_at >= ?")
        args.append(params.since)
    if params.until is not None:
        clauses.append(f"{alias}.created_at < ?")
        args.append(params.until)
    for column, values in (("platform", params.platforms), ("lang", params.languages)):
        if values:
            clauses.append(f"{alias}.{column} IN ({_marks(values)})")
            args.extend(values)
    if params.topics:
        marks = _marks(params.topics)
        exists = "EXISTS (SELECT 1 FROM matches m WHERE m.platform = {0}.platform "
        exists += "AND m.native_id = {0}.native_id AND m.topic IN ({1}))"
        clauses.append(exists.format(alias, marks))
        args.extend(params.topics)
    return (" AND ".join(clauses) or "TRUE"), args


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" for _ in values)


def topic_kinds(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return ``{topic: kind}`` of the workspace's topics."""
    rows = con.execute("SELECT name, kind FROM topics ORDER BY name").fetchall()
    return {str(name): str(kind) for name, kind in rows}


def own_accounts(con: duckdb.DuckDBPyConnection, params: InsightParams) -> list[tuple[str, str]]:
    """Return our own ``(platform, handle)`` pairs, handles normalised by :func:`norm_handle`.

    A ``user@instance`` handle is also listed by its local part, because posts of local
    users carry the bare name as author.
    """
    rows = con.execute("SELECT network, handle FROM accounts").fetchall()
    pairs = {(str(p), norm_handle(str(h))) for p, h in rows}
    pairs.update((p, norm_handle(h)) for p, h in params.own_accounts)
    pairs.update((p, h.partition("@")[0]) for p, h in list(pairs) if "@" in h)
    return sorted(pairs)


def handle_sql(column: str) -> str:
    """Return the SQL of a handle column in :func:`norm_handle`'s form.

    ``ltrim(x, '@')`` is several times slower than a prefix test on large tables, so it
    only runs on the handles that start with ``@``.

    >>> handle_sql("p.author")
    "lower(CASE WHEN starts_with(p.author, '@') THEN ltrim(p.author, '@') ELSE p.author END)"
    """
    if not _COLUMN.match(column):
        raise ValueError(f"not a column reference: {column!r}")
    return (
        f"lower(CASE WHEN starts_with({column}, '@') THEN ltrim({column}, '@') ELSE {column} END)"
    )


def norm_handle(handle: str) -> str:
    """Return a handle in the form used for comparisons (lower case, no leading ``@``).

    >>> norm_handle("@Acme")
    'acme'
    """
    return handle.strip().lstrip("@").lower()


def as_utc(value: datetime) -> datetime:
    """Read a naive datetime from SQL (UTC by construction) as an aware one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, datetimes, timedeltas and tuples to JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN is not valid JSON
        return None
    return value


class Result:
    """Mixin of every insight result: JSON form and the main table for CSV/table output."""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-serialisable dict."""
        out = to_jsonable(self)
        assert isinstance(out, dict)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Return the result's main table (one dict per row) for CSV and table output."""
        raise NotImplementedError


def filtered_posts_cte(params: InsightParams, name: str = "f") -> tuple[str, list[object]]:
    """Return ``name AS (SELECT * FROM posts p WHERE <filter>)`` and its parameters."""
    where, args = post_filter(params)
    if not _ALIAS.match(name):
        raise ValueError(f"not a CTE name: {name!r}")
    return f"{name} AS (SELECT p.* FROM posts p WHERE {where})", args  # noqa: S608


def post_ref(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields a result shows of a post (id, author, text excerpt, engagement)."""
    text = str(row.get("text") or "")
    return {
        "platform": row.get("platform"),
        "native_id": row.get("native_id"),
        "author": row.get("author"),
        "created_at": row.get("created_at"),
        "text": text if len(text) <= 280 else text[:279] + "…",
        "engagement": int(row.get("engagement") or 0),
        "url": row.get("url"),
    }


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, sql: str, args: list[object]
) -> list[dict[str, Any]]:
    """Run a query and return its rows as dicts."""
    cur = con.execute(sql, args)
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


#: SQL expression of a post's engagement over table alias ``p`` (a fixed fragment).
ENGAGEMENT: Final = "(coalesce(p.likes, 0) + coalesce(p.reposts, 0) + coalesce(p.replies, 0))"
