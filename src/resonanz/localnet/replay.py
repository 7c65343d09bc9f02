"""A local Jetstream replay: pushes synthetic post events at a fixed rate over WebSocket.

Each event's ``time_us`` is the moment it was *due* (start + i / rate), not the moment it
left, so a consumer that cannot keep up sees its lag grow even when the server is held back
by a full socket. ``searchPosts`` answers empty, so a Bluesky source's backfill ends at once.

``python -m resonanz.localnet.replay --rate 10000 --duration 300`` prints the base URL and
serves until the duration (plus ``--linger``) is over.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import websockets.asyncio.server
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from resonanz.scale.firehose import post_rows

TICK_SECONDS = 0.005
#: Events written at once at most (a consumer far behind gets them in such slices).
MAX_WRITE_EVENTS = 2_000
START_TIMEOUT_SECONDS = 15.0
_POOL = 20_000


@dataclass
class Replay:
    """The schedule of one replay and what has been sent."""

    rate: float = 10_000.0
    duration: float = 60.0
    seed: int = 42
    started: float | None = None  # wall-clock start of the schedule (first connection)
    sent: int = 0
    behind_max_s: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many events the whole schedule holds."""
        return int(self.rate * self.duration)

    def start(self) -> float:
        """Start the schedule now unless it runs already; return its start time."""
        with self.lock:
            if self.started is None:
                # Texts first: the schedule must not start while they are being made.
                rows = post_rows(min(_POOL, max(self.total, 1)), seed=self.seed)
                self._texts = [(r["author"], json.dumps(r["text"])) for r in rows]
                self.started = time.time()
            return self.started

    def due(self, now: float) -> int:
        """Return how many events are due at wall-clock ``now``."""
        start = self.started if self.started is not None else now
        return min(self.total, int((now - start) * self.rate) + 1)

    def message(self, i: int) -> str:
        """Return event ``i`` as Jetstream sends it (a post-creating commit)."""
        start = self.started or 0.0
        time_us = int((start + i / self.rate) * 1e6)
        author, text = self._texts[i % len(self._texts)]
        created = datetime.fromtimestamp(time_us / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return (
            f'{{"did":"did:plc:{author}","time_us":{time_us},"kind":"commit","commit":'
            f'{{"rev":"r{i}","operation":"create","collection":"app.bsky.feed.post",'
            f'"rkey":"e{i}","record":{{"$type":"app.bsky.feed.post","text":{text},'
            f'"createdAt":"{created}","langs":[]}},"cid":"bafy{i}"}}}}'
        )

    def first_after(self, cursor_us: int) -> int:
        """Return the index of the first event due after ``cursor_us``."""
        start = self.started or 0.0
        return max(0, int((cursor_us / 1e6 - start) * self.rate) + 1)


def _frame(message: str) -> bytes:
    """Return ``message`` as one unmasked WebSocket text frame (server to client, RFC 6455)."""
    payload = message.encode()
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 1 << 16:
        return b"\x81\x7e" + size.to_bytes(2, "big") + payload
    return b"\x81\x7f" + size.to_bytes(8, "big") + payload


def _json(connection: ServerConnection, body: object) -> Response:
    response = connection.respond(200, json.dumps(body))
    del response.headers["Content-Type"]
    response.headers["Content-Type"] = "application/json"
    return response


def _routes(replay: Replay) -> Callable[[ServerConnection, Request], Response | None]:
    """Answer the plain HTTP requests: ``/stats`` and an empty ``searchPosts``."""

    def process_request(connection: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path == "/subscribe":
            return None  # the WebSocket handshake goes on
        if path == "/xrpc/app.bsky.feed.searchPosts":
            return _json(connection, {"posts": []})
        if path == "/stats":
            stats: dict[str, object] = {"sent": replay.sent, "total": replay.total}
            stats["rate"] = replay.rate
            stats |= {"started": replay.started, "behind_max_s": round(replay.behind_max_s, 3)}
            return _json(connection, stats)
        return connection.respond(404, "not found\n")

    return process_request


def _handler(replay: Replay) -> Callable[[ServerConnection], Awaitable[None]]:
    async def subscribe(connection: ServerConnection) -> None:
        replay.start()  # the schedule begins with the first connection
        assert connection.request is not None
        cursor = parse_qs(urlsplit(connection.request.path).query).get("cursor")
        position = replay.due(time.time()) - 1
        if cursor:
            # As Jetstream does: everything after the cursor, from the schedule's start if it
            # is older (a consumer whose first connection dropped before it stored anything
            # asks again with the time its backfill began, and must not skip the start).
            position = min(position, replay.first_after(int(cursor[0])))
        with contextlib.suppress(ConnectionClosed):
            await _push(connection, replay, max(position, 0))
            await connection.wait_closed()

    return subscribe


async def _push(connection: ServerConnection, replay: Replay, position: int) -> None:
    """Send every event as it falls due, the frames due at once in one write.

    The frames go straight to the socket: a message at a time through the WebSocket
    library cost the server more CPU per event than the consumer's whole receive path, on
    the same cores. A full socket (a consumer behind) makes it wait (``drain``).
    """
    transport = connection.transport
    while position < replay.total:
        now = time.time()
        due = min(replay.due(now), position + MAX_WRITE_EVENTS)
        if position >= due:
            await asyncio.sleep(TICK_SECONDS)
            continue
        late = now - (replay.started or now) - position / replay.rate
        replay.behind_max_s = max(replay.behind_max_s, late)
        if transport.is_closing():
            return
        transport.write(b"".join(_frame(replay.message(i)) for i in range(position, due)))
        replay.sent += due - position
        position = due
        await connection.drain()


def serve(replay: Replay, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start the replay server in a thread; return its base URL and ``stop()``."""
    ready = threading.Event()
    bound: list[int] = []
    stopping: list[Callable[[], object]] = []

    async def run() -> None:
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        stopping.append(lambda: loop.call_soon_threadsafe(_finish, stop))
        async with websockets.asyncio.server.serve(
            _handler(replay),
            "127.0.0.1",
            port,
            compression=None,
            process_request=_routes(replay),
            close_timeout=1,
            server_header=None,
        ) as server:
            bound.append(int(next(iter(server.sockets)).getsockname()[1]))
            ready.set()
            await stop

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="replay", daemon=True)
    thread.start()
    if not ready.wait(START_TIMEOUT_SECONDS):
        raise RuntimeError("the replay server did not start")

    def stop() -> None:
        stopping[0]()
        thread.join(10)

    return f"http://127.0.0.1:{bound[0]}", stop


def _finish(stop: asyncio.Future[None]) -> None:
    if not stop.done():
        stop.set_result(None)


def main() -> None:
    """Serve a replay from the command line (prints the base URL first)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=10_000.0, help="events per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of events")
    parser.add_argument("--linger", type=float, default=30.0, help="seconds to stay up after")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    replay = Replay(rate=args.rate, duration=args.duration)
    url, stop = serve(replay, args.port)
    print(url, flush=True)
    try:
        while replay.started is None or time.time() < replay.started + args.duration + args.linger:
            time.sleep(0.2)
            if sys.stdin.closed:
                break
    finally:
        print(json.dumps({"sent": replay.sent, "behind_max_s": round(replay.behind_max_s, 3)}))
        stop()


if __name__ == "__main__":
    main()
