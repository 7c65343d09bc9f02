"""The write side of the local Bluesky (AT Protocol) server: sessions and records.

Speaks ``com.atproto.server.createSession`` (app password), ``com.atproto.repo.createRecord``
(with a caller-chosen TID record key; a key used twice is refused) and
``com.atproto.repo.getRecord``, so that publishing and replies can be tested over real HTTP
and the server can be asked what it received.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import grapheme
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from resonanz.localnet.state import NetworkState, attached, bearer, gate

MAX_GRAPHEMES = 300
POST = "app.bsky.feed.post"
_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class BlueskyWriteState:
    """Accounts, sessions and records of the local PDS.

    ``fail_next`` answers that many createRecord calls with 502 first (to exercise retries).
    """

    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)  # handle -> (did, pw)
    sessions: dict[str, str] = field(default_factory=dict)  # access token -> did
    records: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    network: NetworkState | None = None  # the read side's world, when served together

    def add_account(self, handle: str, password: str) -> str:
        """Create an account with an app password; return its DID."""
        did = did_of(handle)
        self.accounts[handle] = (did, password)
        return did

    def put(self, did: str, rkey: str, value: dict[str, Any]) -> dict[str, str]:
        """Store a record (e.g. someone else's post to reply to); return its strong ref."""
        uri = f"at://{did}/{POST}/{rkey}"
        cid = cid_of(value)
        self.records[(did, POST, rkey)] = {"uri": uri, "cid": cid, "value": value}
        return {"uri": uri, "cid": cid}

    def posts_of(self, handle: str) -> list[dict[str, Any]]:
        """Return the post records ``handle`` created, with uri and cid."""
        did = self.accounts[handle][0]
        return [r for (d, c, _), r in self.records.items() if d == did and c == POST]


def cid_of(value: dict[str, Any]) -> str:
    """Return a stable content id for a record (the hash of its canonical JSON)."""
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")


def _error(status: int, name: str, message: str) -> JSONResponse:
    return JSONResponse({"error": name, "message": message}, status_code=status)


def _did(state: BlueskyWriteState, request: Request, repo: str) -> str | None:
    token = bearer(request) or ""
    if token in state.sessions:
        return state.sessions[token]
    net = state.network
    if token and net is not None and token in net.sessions:
        # The read side's logins do not say who logged in; trust the repo named.
        did = repo if repo.startswith("did:") else did_of(repo)
        state.accounts.setdefault(repo, (did, ""))
        return did
    return None


def did_of(handle: str) -> str:
    """Return the DID the local server gives ``handle``."""
    return "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]


def write_state(network: NetworkState) -> BlueskyWriteState:
    """Return the write side attached to a read-side world (created on first use)."""
    return attached(network, "bluesky_write", lambda net: BlueskyWriteState(network=net))


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return dict(data) if isinstance(data, dict) else {}


def _create_session(state: BlueskyWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        body = await _json(request)
        account = state.accounts.get(str(body.get("identifier", "")))
        if account is None or account[1] != body.get("password"):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        token = secrets.token_urlsafe(24)
        with state.lock:
            state.sessions[token] = account[0]
        return JSONResponse(
            {
                "accessJwt": token,
                "refreshJwt": secrets.token_urlsafe(24),
                "handle": body["identifier"],
                "did": account[0],
                "active": True,
            }
        )

    return endpoint


def _invalid_post(state: BlueskyWriteState, record: dict[str, Any]) -> str | None:
    text = record.get("text")
    if not isinstance(text, str) or not record.get("createdAt"):
        return "Record/text and Record/createdAt are required"
    if grapheme.length(text) > MAX_GRAPHEMES:
        return f"Record/text must not be longer than {MAX_GRAPHEMES} graphemes"
    reply = record.get("reply")
    if reply is not None:
        for part in ("root", "parent"):
            ref = reply.get(part) if isinstance(reply, dict) else None
            if not isinstance(ref, dict) or not ref.get("uri") or not ref.get("cid"):
                return f"Record/reply/{part} must be a strong ref with uri and cid"
    return None


def _create_record(state: BlueskyWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if state.network is not None and (fault := gate(state.network, request)) is not None:
            return fault
        body = await _json(request)
        did = _did(state, request, str(body.get("repo", "")))
        if did is None:
            return _error(401, "AuthenticationRequired", "Authentication Required")
        record = body.get("record")
        rkey = str(body.get("rkey") or "")
        if body.get("collection") != POST or not isinstance(record, dict):
            return _error(400, "InvalidRequest", f"only {POST} records are supported here")
        if body.get("repo") not in (did, *(h for h, a in state.accounts.items() if a[0] == did)):
            return _error(400, "InvalidRequest", "repo does not match the session")
        if not _TID.match(rkey):
            return _error(400, "InvalidRequest", "rkey must be a TID")
        problem = _invalid_post(state, record)
        if problem:
            return _error(400, "InvalidRequest", problem)
        with state.lock:
            state.requests += 1
            if state.fail_next > 0:
                state.fail_next -= 1
                return _error(502, "UpstreamFailure", "Upstream Failure")
            if (did, POST, rkey) in state.records:
                return _error(400, "RecordAlreadyExists", "Record already exists")
            ref = state.put(did, rkey, record)
            if state.network is not None:
                state.network.record_write("createRecord", {**body, **ref})
        return JSONResponse({**ref, "validationStatus": "valid"})

    return endpoint


def _get_record(state: BlueskyWriteState) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        q = request.query_params
        repo = q.get("repo", "")
        did = state.accounts[repo][0] if repo in state.accounts else repo
        with state.lock:
            found = state.records.get((did, q.get("collection", ""), q.get("rkey", "")))
        if found is None:
            return _error(400, "RecordNotFound", "Could not locate record")
        return JSONResponse(found)

    return endpoint


def routes(state: BlueskyWriteState | NetworkState) -> list[BaseRoute]:
    """Return the write-side routes of the local Bluesky server.

    Given the read side's :class:`NetworkState`, the write side attaches to it (see
    :func:`write_state`); sessions handed out by the read side's login are accepted.
    """
    if isinstance(state, NetworkState):
        state = write_state(state)
    return [
        Route("/xrpc/com.atproto.server.createSession", _create_session(state), methods=["POST"]),
        Route("/xrpc/com.atproto.repo.createRecord", _create_record(state), methods=["POST"]),
        Route("/xrpc/com.atproto.repo.getRecord", _get_record(state), methods=["GET"]),
    ]
