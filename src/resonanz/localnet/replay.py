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
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from resonanz.scale.firehose import post_rows

TICK_SECONDS = 0.005
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


def build_app(replay: Replay) -> Starlette:
    """Return the app serving ``/subscribe``, an empty ``searchPosts`` and ``/stats``."""

    async def subscribe(websocket: WebSocket) -> None:
        await websocket.accept()
        replay.start()  # the schedule begins with the first connection
        cursor = websocket.query_params.get("cursor")
        position = replay.due(time.time()) - 1
        if cursor:
            # As Jetstream does: everything after the cursor, from the schedule's start if it
            # is older (a consumer whose first connection dropped before it stored anything
            # asks again with the time its backfill began, and must not skip the start).
            position = min(position, replay.first_after(int(cursor)))
        try:
            await _push(websocket, replay, max(position, 0))
        except WebSocketDisconnect:
            return

    async def search_posts(request: Request) -> Response:
        return JSONResponse({"posts": []})

    async def stats(request: Request) -> Response:
        return JSONResponse(
            {
                "sent": replay.sent,
                "total": replay.total,
                "rate": replay.rate,
                "started": replay.started,
                "behind_max_s": round(replay.behind_max_s, 3),
            }
        )

    return Starlette(
        routes=[
            WebSocketRoute("/subscribe", subscribe),
            Route("/xrpc/app.bsky.feed.searchPosts", search_posts),
            Route("/stats", stats),
        ]
    )


async def _push(websocket: WebSocket, replay: Replay, position: int) -> None:
    """Send every event as it falls due; then keep the socket open until the client leaves."""
    while position < replay.total:
        now = time.time()
        due = replay.due(now)
        if position >= due:
            await asyncio.sleep(TICK_SECONDS)
            continue
        late = now - (replay.started or now) - position / replay.rate
        replay.behind_max_s = max(replay.behind_max_s, late)
        for i in range(position, due):
            await websocket.send_text(replay.message(i))
        replay.sent += due - position
        position = due
    while True:
        message = await websocket.receive()
        if message.get("type") == "websocket.disconnect":
            return


def serve(replay: Replay, port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start the replay server in a thread; return its base URL and ``stop()``."""
    from resonanz.localnet.server import run_in_thread

    return run_in_thread(build_app(replay), port=port)


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
