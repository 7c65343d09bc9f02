"""The in-memory world one local network server serves, shared by its read and write side.

Read routes (``localnet/<network>.py``) serve ``posts`` (platform-format items, oldest
first), ``notifications`` and stream ``events``; write routes (``<network>_write.py``)
append what they receive to ``writes`` and may publish into ``posts`` with
:meth:`NetworkState.add_post`. ``faults`` let tests inject 429/401/500 answers.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, Response


@dataclass
class Fault:
    """Answer the next ``times`` requests whose path starts with ``path`` with ``status``."""

    path: str
    status: int = 500
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    after: int = 0  # let this many matching requests pass first


@dataclass
class NetworkState:
    """Everything one local network holds; safe to use from tests and server threads."""

    network: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    notifications: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    writes: list[dict[str, Any]] = field(default_factory=list)
    account: dict[str, Any] | None = None  # "our" account, where the network has one
    tokens: set[str] = field(default_factory=set)  # accepted bearer tokens (empty: any)
    sessions: set[str] = field(default_factory=set)  # access tokens handed out by logins
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    page_size: int | None = None  # overrides the platform's page size (tests)
    visible: int | None = None  # serve only the first N posts (trickle replay)
    drop_stream_after: int | None = None  # close the next stream after N messages
    duplicate_stream: bool = False  # send every stream message twice
    sides: dict[str, object] = field(default_factory=dict, repr=False)  # attached write sides
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def next_id(self) -> int:
        """Return a fresh number for ids of new items."""
        with self.lock:
            return next(self._ids)

    def visible_posts(self) -> list[dict[str, Any]]:
        """Return the posts served now (oldest first)."""
        with self.lock:
            return list(self.posts if self.visible is None else self.posts[: self.visible])

    def add_post(self, item: dict[str, Any], event: dict[str, Any] | None = None) -> None:
        """Publish a platform-format item (and its stream event, where streams differ)."""
        with self.lock:
            self.posts.append(item)
            if self.visible is not None:
                self.visible += 1
            if event is not None:
                self.events.append(event)

    def add_notification(self, item: dict[str, Any]) -> None:
        """Add a platform-format notification of our account."""
        with self.lock:
            self.notifications.append(item)

    def record_write(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Remember a write request (publish, reply, like …) and return the stored entry."""
        entry = {"kind": kind, "payload": payload, "seq": self.next_id()}
        with self.lock:
            self.writes.append(entry)
        return entry

    def take_fault(self, path: str) -> Fault | None:
        """Consume and return the first fault matching ``path``."""
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.times > 0:
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    return fault
        return None

    def take_stream_drop(self) -> int | None:
        """Consume the stream drop setting (a drop happens once)."""
        with self.lock:
            value, self.drop_stream_after = self.drop_stream_after, None
            return value


S = TypeVar("S")


def attached(network: NetworkState, name: str, make: Callable[[NetworkState], S]) -> S:
    """Return the side state ``name`` of ``network``, made by ``make`` on first use."""
    with network.lock:
        if name not in network.sides:
            network.sides[name] = make(network)
        return cast(S, network.sides[name])


def gate(state: NetworkState, conn: HTTPConnection) -> Response | None:
    """Record a request and answer it with an injected fault, if one matches."""
    path = conn.url.path
    with state.lock:
        state.requests.append(path)
    fault = state.take_fault(path)
    if fault is None:
        return None
    body = fault.body if fault.body is not None else {"error": f"injected HTTP {fault.status}"}
    return JSONResponse(body, status_code=fault.status, headers=fault.headers)


def bearer(conn: HTTPConnection) -> str | None:
    """Return the request's bearer token."""
    value = conn.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def require_token(
    state: NetworkState, conn: HTTPConnection, error: Callable[[], Response]
) -> Response | None:
    """Answer with ``error()`` unless the request carries an accepted token."""
    token = bearer(conn)
    if token is None or (state.tokens and token not in state.tokens):
        return error()
    return None
