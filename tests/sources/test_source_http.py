"""The shared HTTP layer against a real local server: retries, 429, rate headers, errors."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from recorded import FAST

from resonanz.errors import AuthFailed, RateLimited, SourceError, Unavailable
from resonanz.localnet.state import Fault, NetworkState
from resonanz.sources.http import Http, reset_seconds, retry_after

TOKEN = "s3cr3t-token-value-0042"


def _get(url: str, settings: Any = FAST) -> Any:
    async def run() -> Any:
        http = Http.create("mastodon", settings)
        try:
            return await http.get_json(
                f"{url}/api/v1/timelines/public?access_token={TOKEN}",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        finally:
            await http.aclose()

    return asyncio.run(run())


def test_5xx_and_429_are_retried_until_an_answer(serve: Any) -> None:
    state = NetworkState("mastodon")
    state.faults = [
        Fault("/api/v1/timelines", 503, times=2),
        Fault("/api/v1/timelines", 429, headers={"Retry-After": "0.01"}),
    ]
    url = serve("mastodon", state)
    assert _get(url) == []
    assert len(state.requests) == 4


def test_exhausted_retries_raise_unavailable(serve: Any) -> None:
    state = NetworkState("mastodon", faults=[Fault("/api", 500, times=10)])
    with pytest.raises(Unavailable, match="after 4 tries"):
        _get(serve("mastodon", state))


def test_long_retry_after_raises_rate_limited(serve: Any) -> None:
    faults = [Fault("/api", 429, headers={"Retry-After": "3600"})]
    state = NetworkState("mastodon", faults=faults)
    with pytest.raises(RateLimited) as info:
        _get(serve("mastodon", state), FAST.model_copy(update={"max_retry_after_seconds": 5}))
    assert info.value.retry_after == pytest.approx(3600)


def test_errors_and_logs_never_show_the_token(serve: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    faults = [Fault("/api", 500), Fault("/api", 401)]
    state = NetworkState("mastodon", faults=faults)
    with pytest.raises(AuthFailed) as info:
        _get(serve("mastodon", state))
    message = str(info.value)
    assert "access token" in message  # names the fix
    assert TOKEN not in message
    assert TOKEN not in caplog.text
    assert "timelines/public" in caplog.text  # the retry was logged, without the query


def test_other_client_errors_name_the_settings(serve: Any) -> None:
    state = NetworkState("mastodon", faults=[Fault("/api", 404, body={"error": "Not found"})])
    with pytest.raises(SourceError, match="Not found"):
        _get(serve("mastodon", state))


def test_rate_limit_headers_pause_the_next_request(serve: Any) -> None:
    state = NetworkState("mastodon")
    state.faults = [
        Fault(
            "/api",
            200,
            body=[],
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0.3"},
        )
    ]
    url = serve("mastodon", state)

    async def run() -> float:
        http = Http.create("mastodon", FAST)
        try:
            loop = asyncio.get_running_loop()
            await http.get_json(f"{url}/api/v1/timelines/public")
            start = loop.time()
            await http.get_json(f"{url}/api/v1/timelines/public")
            return loop.time() - start
        finally:
            await http.aclose()

    assert asyncio.run(run()) >= 0.25


def test_header_parsers() -> None:
    assert retry_after("12") == 12
    assert retry_after(None) is None
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert reset_seconds("30") == 30
    assert reset_seconds("2000-01-01T00:00:00.000Z") == 0
    assert reset_seconds("nonsense") is None
