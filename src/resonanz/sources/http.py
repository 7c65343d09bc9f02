"""The one HTTP layer every connector uses: retries, backoff, rate limits, budgets, errors.

* 5xx answers and network errors are retried with exponential backoff and full jitter.
* ``429`` waits for ``Retry-After`` (seconds or an HTTP date) and tries again.
* The platforms' rate-limit headers (``X-RateLimit-*`` of Mastodon, ``X-Ratelimit-*`` of
  Reddit, ``RateLimit-*`` of Bluesky) pause the next request until the window resets.
* A :class:`Budget` spaces requests per platform (shared by every source of that platform).
* Platform errors become :class:`AuthFailed`, :class:`RateLimited` or :class:`Unavailable`
  with a message that names the fix — and never a credential or a query string.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from resonanz.errors import AuthFailed, RateLimited, SourceError, Unavailable
from resonanz.sources.settings import HttpSettings

log = logging.getLogger("resonanz.sources")

#: Requests per minute a platform tolerates from one client when nothing else is configured.
DEFAULT_BUDGETS: Mapping[str, float] = {
    "mastodon": 250.0,  # 300 per 5 minutes per account/IP
    "bluesky": 600.0,
    "reddit": 90.0,  # 100 per minute per OAuth client
    "hackernews": 600.0,  # 10,000 per hour per IP
    "rss": 60.0,
}
_FIX = {
    "mastodon": "create a new access token in the instance's Preferences > Development",
    "bluesky": "create a new app password in Bluesky's Settings > App passwords",
    "reddit": "check the client id and secret of the Reddit app at reddit.com/prefs/apps",
    "hackernews": "the Algolia HN API needs no credentials; check the --api URL",
    "rss": "check the feed's URL and whether it needs a login",
}


class _HideQueries(logging.Filter):
    """Drop query strings from httpx's request log lines (they may carry a token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                a.copy_with(query=None) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


_HIDE_QUERIES = _HideQueries()


class Budget:
    """Space requests to at most ``per_minute`` (one shared instance per platform)."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until the next request fits into the budget."""
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            await asyncio.sleep(wait)


@dataclass
class Http:
    """An httpx client for one platform with the retry and rate-limit policy applied."""

    platform: str
    settings: HttpSettings
    client: httpx.AsyncClient
    budget: Budget | None = None
    _paused_until: float = 0.0

    @classmethod
    def create(
        cls,
        platform: str,
        settings: HttpSettings,
        *,
        budget: Budget | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Http:
        """Build the client; ``transport`` lets tests or proxies replace the network."""
        logging.getLogger("httpx").addFilter(_HIDE_QUERIES)  # adding twice is a no-op
        if budget is None:
            rate = settings.requests_per_minute or DEFAULT_BUDGETS.get(platform, 60.0)
            budget = Budget(rate)
        client = httpx.AsyncClient(
            verify=_ssl_context(),
            timeout=settings.timeout_seconds,
            transport=transport,
            headers={"User-Agent": "resonanz/0.1", **(headers or {})},
            follow_redirects=True,
        )
        return cls(platform, settings, client, budget)

    async def aclose(self) -> None:
        """Close the underlying connections."""
        await self.client.aclose()

    async def get_json(self, url: str, *, method: str = "GET", **kwargs: Any) -> Any:
        """Request ``url`` (GET by default) and return its JSON body (see :meth:`request`)."""
        response = await self.request(method, url, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise Unavailable(
                f"{self.platform} answered {_where(url)} with something that is not JSON; "
                "check the service URL"
            ) from None

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send a request with retries; return a 2xx/3xx response or raise a SourceError."""
        attempt = 0
        while True:
            await self._wait_turn()
            try:
                response = await self.client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                attempt = await self._retry_or_raise(attempt, url, type(exc).__name__)
                continue
            self._note_rate_limit(response.headers)
            status = response.status_code
            if status == 429:
                attempt = await self._wait_rate_limited(attempt, url, response)
                continue
            if status >= 500:
                attempt = await self._retry_or_raise(attempt, url, f"HTTP {status}")
                continue
            if status in (401, 403):
                raise AuthFailed(
                    f"{self.platform} rejected our credentials at {_where(url)} "
                    f"(HTTP {status}): {_FIX.get(self.platform, 'renew the token')}"
                )
            if status >= 400:
                raise SourceError(
                    f"{self.platform} refused {_where(url)} (HTTP {status}: "
                    f"{_short(response)}); check the source's settings"
                )
            return response

    async def _wait_turn(self) -> None:
        pause = self._paused_until - time.monotonic()
        if pause > 0:
            log.info("%s: rate-limit window, waiting %.1f s", self.platform, pause)
            await asyncio.sleep(pause)
        if self.budget is not None:
            await self.budget.acquire()

    def backoff(self, attempt: int) -> float:
        """Return the wait before retry number ``attempt`` (full jitter)."""
        ceiling = min(self.settings.max_backoff_seconds, self.settings.backoff_seconds * 2**attempt)
        return random.uniform(0, ceiling)

    async def _retry_or_raise(self, attempt: int, url: str, why: str) -> int:
        if attempt >= self.settings.retries:
            raise Unavailable(
                f"{self.platform} did not answer {_where(url)} after {attempt + 1} tries "
                f"({why}); check the URL and your connection, it is retried on the next poll"
            )
        wait = self.backoff(attempt)
        log.warning("%s: %s at %s, retry in %.2f s", self.platform, why, _where(url), wait)
        await asyncio.sleep(wait)
        return attempt + 1

    async def _wait_rate_limited(self, attempt: int, url: str, response: httpx.Response) -> int:
        wait = retry_after(response.headers.get("Retry-After"))
        if wait is None:
            wait = self.backoff(attempt)
        if attempt >= self.settings.retries or wait > self.settings.max_retry_after_seconds:
            raise RateLimited(
                f"{self.platform} is rate limiting us at {_where(url)}; wait {wait:.0f} s "
                "or lower the source's http.requests_per_minute",
                retry_after=wait,
            )
        log.warning("%s: 429 at %s, waiting %.2f s", self.platform, _where(url), wait)
        await asyncio.sleep(wait)
        return attempt + 1

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        remaining = _first(headers, "x-ratelimit-remaining", "ratelimit-remaining")
        reset = _first(headers, "x-ratelimit-reset", "ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            left = float(remaining)
        except ValueError:
            return
        if left >= 1:
            return
        seconds = reset_seconds(reset)
        if seconds is not None:
            seconds = min(seconds, self.settings.max_retry_after_seconds)
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Load the CA certificates once (about half a second each time otherwise)."""
    return ssl.create_default_context()


def retry_after(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header: delay seconds or an HTTP date; None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def reset_seconds(value: str) -> float | None:
    """Seconds until a rate-limit window resets.

    Reddit sends seconds, Bluesky a Unix time, Mastodon an ISO 8601 time.
    """
    try:
        number = float(value)
    except ValueError:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    if number > 1_000_000_000:  # a Unix timestamp, not a duration
        return max(0.0, number - time.time())
    return max(0.0, number)


def _first(headers: httpx.Headers, *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            return str(value)
    return None


def _where(url: str) -> str:
    """Describe a URL without its query string (which may carry a token or a search)."""
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


def _short(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "no details"
    if isinstance(body, dict):
        for key in ("error_description", "message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])[:200]
    return response.reason_phrase or "no details"
