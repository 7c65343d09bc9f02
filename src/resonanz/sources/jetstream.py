"""Read a Jetstream WebSocket at firehose rates: receive, decode in bulk, hand on in batches.

The reader does nothing per message but append it to a buffer. A batch is cut when it holds
:data:`FLUSH_EVENTS` messages or is :data:`FLUSH_SECONDS` old, whichever comes first; only
then are its messages decoded (one ``orjson`` call for the whole batch) and handed to
``select``, which keeps the wanted events. The batch goes to ``emit`` with the cursor after
its last event; ``emit`` stores it in the background and only makes the reader wait when
the writer is behind (backpressure: the socket then backs up instead of memory growing).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import websockets
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from resonanz.errors import Unavailable
from resonanz.sources.base import CursorState, Emit

#: Store at least this often (seconds) while events arrive, or a quiet stream's cursor.
#: Each batch has fixed costs (statements, commit, a round trip to the enrichment worker):
#: one-second batches halve them against half-second ones, for half a second more lag.
FLUSH_SECONDS = 1.0
#: Or as soon as this many events wait: large enough that enrichment and storage run
#: efficiently (500-event batches cost ~1.5x more per post), small enough for low lag. At
#: 10,000 events/s the one-second cut comes first; a stream that fell behind catches up in
#: batches of up to this size, cheaper per post (topic matching: 27 µs at 5,000, 20 at 20,000).
FLUSH_EVENTS = 10_000

#: Given decoded events (with their message text), return what to store.
Select = Callable[[list[tuple[str, dict[str, Any]]]], list[Any]]


def decode_many(messages: list[str | bytes]) -> list[tuple[str, dict[str, Any]]]:
    """Decode JSON messages in one call; return (text, object) pairs, skipping bad ones."""
    texts = [m if isinstance(m, str) else m.decode("utf-8", "replace") for m in messages]
    try:
        values = orjson.loads("[" + ",".join(texts) + "]")
    except orjson.JSONDecodeError:
        values = [_decode_one(text) for text in texts]  # one bad message: find it
    return [(t, v) for t, v in zip(texts, values, strict=True) if isinstance(v, dict)]


def _decode_one(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


@dataclass
class Batcher:
    """Cut a message stream into batches and emit them, in order, with their cursor."""

    state: CursorState
    emit: Emit
    select: Select
    on_event: Callable[[dict[str, Any]], None]
    cursor: int = 0
    buffer: list[str | bytes] = field(default_factory=list)
    cut_at: float = field(default_factory=time.monotonic)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def add(self, message: str | bytes) -> bool:
        """Buffer one message; return True when a batch is full."""
        self.buffer.append(message)
        return len(self.buffer) >= FLUSH_EVENTS

    def due(self) -> bool:
        """True when the last batch was cut long enough ago."""
        return time.monotonic() - self.cut_at >= FLUSH_SECONDS

    async def flush(self) -> None:
        """Decode, select and emit what is buffered (the cursor alone if nothing is kept)."""
        async with self.lock:  # the reader and the timer both flush; batches keep their order
            messages, self.buffer = self.buffer, []
            self.cut_at = time.monotonic()
            events = decode_many(messages)
            for _, event in events:
                time_us = event.get("time_us")
                if isinstance(time_us, int):  # a broken event must not stop the stream
                    self.cursor = max(self.cursor, time_us)
                self.on_event(event)
            keep = self.select(events)
            state = self.state.with_extra(time_us=self.cursor)
            if keep or state != self.state:
                await self.emit(keep, state, f"jetstream {self.cursor}")
            self.state = state

    async def tick(self) -> None:
        """Flush on time, so a slow or quiet stream is stored (and its cursor) promptly."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS / 4)
            if self.due():
                await self.flush()


async def _tick(batcher: Batcher, socket: Any) -> None:
    """Run the batcher's timer; if a flush fails, end the reading too (it re-raises)."""
    try:
        await batcher.tick()
    except Exception:
        await socket.close()
        raise


async def follow(url: str, batcher: Batcher) -> None:
    """Read the Jetstream at ``url`` into ``batcher`` until it drops (then raise Unavailable)."""
    ticker: asyncio.Task[None] | None = None
    try:
        # No per-message deflate: at firehose rates it costs both ends more CPU than the
        # whole receive path (Jetstream offers its own zstd compression instead).
        async with websockets.connect(
            url, open_timeout=20, ping_interval=30, compression=None
        ) as socket:
            ticker = asyncio.create_task(_tick(batcher, socket))
            async for message in socket:
                if batcher.add(message):
                    await batcher.flush()
        reason = "closed"
    except InvalidHandshake as exc:
        raise Unavailable(f"jetstream refused the connection ({exc}); check the URL") from None
    except (ConnectionClosed, OSError, TimeoutError) as exc:
        reason = type(exc).__name__
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
    await batcher.flush()
    raise Unavailable(f"jetstream dropped ({reason}); resuming")
