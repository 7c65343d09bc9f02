"""Push new items of a :class:`NetworkState` to a WebSocket client, the way live APIs do."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

from starlette.websockets import WebSocket, WebSocketDisconnect

from resonanz.localnet.state import NetworkState

POLL_SECONDS = 0.05

#: Given the position reached, return the messages to send and the new position.
Produce = Callable[[int], tuple[list[str], int]]


async def pump(websocket: WebSocket, state: NetworkState, produce: Produce, position: int) -> None:
    """Send what ``produce`` yields until the client leaves (or an injected drop)."""
    drop_after = state.take_stream_drop()
    sent = 0
    while True:
        messages, position = produce(position)
        for message in messages:
            copies = 2 if state.duplicate_stream else 1
            for _ in range(copies):
                await websocket.send_text(message)
            sent += 1
            if drop_after is not None and sent >= drop_after:
                # An abrupt end as a dropped network would cause (no close handshake).
                await websocket.close(code=1011)
                return
        if await _client_left(websocket):
            return


async def _client_left(websocket: WebSocket) -> bool:
    try:
        message = await asyncio.wait_for(websocket.receive(), timeout=POLL_SECONDS)
    except TimeoutError:
        return False
    except (WebSocketDisconnect, RuntimeError):
        return True
    return message.get("type") == "websocket.disconnect"


async def sse_lines(state: NetworkState, produce: Produce, position: int) -> AsyncIterator[str]:
    """Yield Server-Sent-Event chunks of new items (``produce`` returns ``event\ndata`` pairs)."""
    drop_after = state.take_stream_drop()
    sent = 0
    yield ":)\n\n"
    while True:
        messages, position = produce(position)
        for message in messages:
            yield message
            sent += 1
            if drop_after is not None and sent >= drop_after:
                return
        await asyncio.sleep(POLL_SECONDS)
