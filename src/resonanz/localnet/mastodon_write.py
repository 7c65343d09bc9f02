"""The write side of the local Mastodon server: posting statuses and replies.

Speaks the documented API (``POST /api/v1/statuses`` with ``Idempotency-Key`` and
``in_reply_to_id``; ``GET /api/v1/accounts/verify_credentials``;
``GET /api/v1/accounts/:id/statuses``; ``GET /api/v1/statuses/:id``) so that publishers and
replies can be tested over real HTTP and the server can be asked what it received.
"""

from __future__ import annotations

import html
import itertools
import json
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.localnet.state import NetworkState, attached, bearer, gate

MAX_CHARS = 500
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class MastodonWriteState:
    """What the local Mastodon server knows about our accounts and what it received.

    ``tokens`` maps access tokens to account handles. ``fail_next`` answers that many
    posting requests with 503 first (to exercise retries). ``known_ids`` restricts which
    statuses may be replied to (None: any id is accepted as a status of someone else).
    """

    base_url: str = "http://localhost"
    tokens: dict[str, str] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    known_ids: set[str] | None = None
    fail_next: int = 0
    requests: int = 0
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(110_000_000))
    lock: threading.Lock = field(default_factory=threading.Lock)
    network: NetworkState | None = None  # the read side's world, when served together

    def add_token(self, token: str, handle: str) -> None:
        """Let ``token`` post as ``handle``."""
        self.tokens[token] = handle

    def received(self, handle: str | None = None) -> list[dict[str, Any]]:
        """Return the statuses posted (by ``handle``), oldest first."""
        return [s for s in self.statuses if handle is None or s["account"]["acct"] == handle]

    def account(self, handle: str) -> dict[str, Any]:
        """Return the Account entity of ``handle``."""
        return {
            "id": str(zlib.crc32(handle.encode("utf-8"))),
            "username": handle.split("@")[0],
            "acct": handle,
            "display_name": handle.split("@")[0],
            "url": f"{self.base_url}/@{handle.split('@')[0]}",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(self.received(handle)),
        }


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _handle(state: MastodonWriteState, request: Request) -> str | None:
    token = bearer(request)
    if token is None:
        return None
    net = state.network
    if token not in state.tokens and net is not None and (not net.tokens or token in net.tokens):
        return str((net.account or {}).get("acct") or "acme")
    return state.tokens.get(token)


def write_state(network: NetworkState) -> MastodonWriteState:
    """Return the write side attached to a read-side world (created on first use)."""
    return attached(network, "mastodon_write", lambda net: MastodonWriteState(network=net))


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        body = await request.body()
        data = json.loads(body or b"{}")
        return dict(data) if isinstance(data, dict) else {}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _status(state: MastodonWriteState, handle: str, params: dict[str, Any]) -> dict[str, Any]:
    sid = str(next(state._ids))
    text = str(params.get("status", ""))
    parent = params.get("in_reply_to_id")
    account = state.account(handle)
    return {
        "id": sid,
        "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "in_reply_to_id": str(parent) if parent else None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": params.get("visibility", "public"),
        "language": params.get("language"),
        "uri": f"{state.base_url}/users/{account['username']}/statuses/{sid}",
        "url": f"{account['url']}/{sid}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": "<p>" + html.escape(text).replace("\n", "<br />") + "</p>",
        "text": text,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [],
    }


def _post_status(state: MastodonWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if state.network is not None and (fault := gate(state.network, request)) is not None:
            return fault
        handle = _handle(state, request)
        if handle is None:
            return _error(401, "The access token is invalid")
        params = await _params(request)
        key = request.headers.get("idempotency-key")
        with state.lock:
            state.requests += 1
            if state.fail_next > 0:
                state.fail_next -= 1
                return _error(503, "Service Unavailable")
            if key and (handle, key) in state._keys:
                # Mastodon answers a repeated key with the status it created the first time.
                sid = state._keys[(handle, key)]
                return JSONResponse(next(s for s in state.statuses if s["id"] == sid))
            text = str(params.get("status", "")).strip()
            if not text:
                return _error(422, "Validation failed: Text can't be blank")
            if len(text) > MAX_CHARS:
                return _error(
                    422, f"Validation failed: Text character limit of {MAX_CHARS} exceeded"
                )
            parent = params.get("in_reply_to_id")
            own = {s["id"] for s in state.statuses}
            if parent and state.known_ids is not None and str(parent) not in state.known_ids | own:
                return _error(404, "Record not found")
            status = _status(state, handle, params)
            state.statuses.append(status)
            if state.network is not None:  # the read side serves our posts too
                if state.network.account is not None:
                    status["account"] = state.network.account
                state.network.add_post(status)
                state.network.record_write("status", {**params, "id": status["id"]})
            if key:
                state._keys[(handle, key)] = status["id"]
        return JSONResponse(status)

    return endpoint


def _verify(state: MastodonWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        handle = _handle(state, request)
        if handle is None:
            return _error(401, "The access token is invalid")
        return JSONResponse(state.account(handle))

    return endpoint


def _account_statuses(state: MastodonWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        wanted = request.path_params["id"]
        limit = min(int(request.query_params.get("limit", "20")), 40)
        with state.lock:
            found = [s for s in state.statuses if s["account"]["id"] == wanted]
        return JSONResponse(list(reversed(found))[:limit])

    return endpoint


def _get_status(state: MastodonWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        with state.lock:
            found = [s for s in state.statuses if s["id"] == request.path_params["id"]]
        return JSONResponse(found[0]) if found else _error(404, "Record not found")

    return endpoint


def routes(state: MastodonWriteState | NetworkState) -> list[BaseRoute]:
    """Return the write-side routes of the local Mastodon server.

    Given the read side's :class:`NetworkState`, the write side attaches to it (see
    :func:`write_state`): tokens and faults are shared, and our posts join its timeline.
    """
    if isinstance(state, NetworkState):
        state = write_state(state)
    return [
        Route("/api/v1/statuses", _post_status(state), methods=["POST"]),
        Route("/api/v1/accounts/verify_credentials", _verify(state), methods=["GET"]),
        Route("/api/v1/accounts/{id}/statuses", _account_statuses(state), methods=["GET"]),
        Route("/api/v1/statuses/{id}", _get_status(state), methods=["GET"]),
    ]
