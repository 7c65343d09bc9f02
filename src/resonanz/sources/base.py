"""What every connector is: fetch raw pages (I/O), normalise one raw item (pure).

A connector never writes to the store itself. :mod:`resonanz.sources.collect` pages through
it, turns raw items into a :class:`~resonanz.ingest.Batch` and writes that batch together
with the connector's :class:`CursorState`, so records and resume point commit as one.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, TypedDict

from resonanz.records import AuthorRecord, PostRecord
from resonanz.sources.http import Http


class MalformedItem(ValueError):
    """A raw item that cannot become a post; the reason goes to the quarantine."""


class NotificationRecord(TypedDict):
    """A row of the ``notifications`` table (mentions, replies, quotes of our accounts)."""

    account_id: str
    platform: str
    native_id: str
    kind: str
    post_native_id: str | None
    author: str | None
    created_at: datetime


@dataclass(frozen=True)
class Item:
    """One normalised raw item: the post, its author, and for our accounts a notification.

    ``post`` is None for notifications that concern no post (a new follower).
    """

    post: PostRecord | None
    author: AuthorRecord | None = None
    notification: NotificationRecord | None = None


@dataclass(frozen=True)
class CursorState:
    """Where a source stands, stored as JSON in ``cursors`` with the records it produced.

    ``high`` is the ordering key of the newest item up to which everything is stored.
    While a backfill run pages from the newest item downwards, ``run_top`` is that run's
    newest key and ``next`` the token of the next (older) page: a run cut short by a crash
    resumes at ``next`` and only then moves ``high`` up to ``run_top`` — no gap, and no
    page fetched twice. ``extra`` holds connector specifics (ETag, Jetstream time cursor).
    """

    high: str | None = None
    run_top: str | None = None
    next: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def dumps(self) -> str:
        """Serialise for the ``cursors`` table."""
        data = {"high": self.high, "run_top": self.run_top, "next": self.next, **self.extra}
        return json.dumps(data, sort_keys=True, ensure_ascii=False)

    @classmethod
    def loads(cls, text: str | None) -> CursorState:
        """Read a stored cursor (None or garbage: start from scratch)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        high, top, nxt = data.pop("high", None), data.pop("run_top", None), data.pop("next", None)
        return cls(high, top, nxt, data)

    def with_extra(self, **values: Any) -> CursorState:
        """Return a copy with connector-specific values set."""
        return replace(self, extra={**self.extra, **values})

    def raised_to(self, key: str | None) -> CursorState:
        """Return a copy whose ``high`` is at least ``key``."""
        if key is None or (self.high is not None and key <= self.high):
            return self
        return replace(self, high=key)


@dataclass
class RawPage:
    """One page of raw platform items, newest first, and how to get the next (older) one."""

    items: list[Any]
    next: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: Called by a live connector with raw items, the cursor after them and a location label.
Emit = Callable[[list[Any], CursorState, str], Awaitable[None]]
#: Called by a live connector once its stream is open: back-fills what arrived while it
#: connected (so nothing falls between backfill and stream) and returns the new cursor.
Resync = Callable[[], Awaitable[CursorState]]


class Connector(ABC):
    """A network connector: ``page`` and ``live`` do I/O, ``key`` and ``normalize`` are pure."""

    platform: ClassVar[str]
    #: True when ``live`` follows a push stream; otherwise the runner polls ``page``.
    streams: ClassVar[bool] = False
    #: False when items carry no reliable order: every page is stored, the store dedupes.
    watermark: ClassVar[bool] = True

    def __init__(self, source_id: str, http: Http) -> None:
        self.source_id = source_id
        self.http = http

    @abstractmethod
    async def page(self, token: str | None, state: CursorState, since: datetime | None) -> RawPage:
        """Fetch the page at ``token`` (None: the newest page)."""

    @abstractmethod
    def key(self, raw: Any) -> str:
        """Return the item's ordering key: later items have greater keys (pure)."""

    @abstractmethod
    def normalize(self, raw: Any, collected_at: datetime) -> Item:
        """Map one raw item to our records (pure); raise :class:`MalformedItem` if it can't."""

    def can_stream(self) -> bool:
        """True when :meth:`live` should follow a push stream instead of polling."""
        return self.streams

    async def live(self, state: CursorState, emit: Emit, resync: Resync) -> None:
        """Follow the platform's push stream until it ends or drops."""
        raise NotImplementedError(f"{self.platform} has no push stream; poll `page` instead")

    async def aclose(self) -> None:
        """Release connections."""
        await self.http.aclose()


def parse_time(value: object) -> datetime:
    """Parse an ISO 8601 or Unix time into an aware UTC datetime (MalformedItem if not)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str) or not value:
        raise MalformedItem(f"missing or invalid timestamp {value!r}")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedItem(f"invalid timestamp {value!r}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def time_key(when: datetime, native_id: str) -> str:
    """Return an ordering key from a time and an id (ties broken by id)."""
    return f"{when.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}|{native_id}"


def require(raw: Any, *path: str) -> Any:
    """Return ``raw[path[0]][path[1]]…`` or raise :class:`MalformedItem` naming the field."""
    value = raw
    for name in path:
        if not isinstance(value, dict) or value.get(name) is None:
            raise MalformedItem(f"missing field {'.'.join(path)}")
        value = value[name]
    return value


def dump_raw(raw: Any) -> str:
    """Serialise a raw payload for the ``raw`` column."""
    return json.dumps(raw, ensure_ascii=False, sort_keys=True, default=str)
