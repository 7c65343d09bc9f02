"""The background writer keeps order, bounds its queue, and stops at the first failure."""

from __future__ import annotations

import asyncio
import threading

import pytest

from resonanz.sources.jetstream import decode_many
from resonanz.sources.writer import BackgroundWriter


def test_items_are_written_in_order_with_a_bounded_queue() -> None:
    written: list[int] = []
    gate = threading.Event()

    def write(item: int) -> None:
        gate.wait(5)
        written.append(item)

    prefetched: list[int] = []
    writer = BackgroundWriter(write, prefetch=prefetched.append, depth=2)

    async def feed() -> int:
        waited = 0
        for i in range(6):
            task = asyncio.ensure_future(writer.put(i))
            await asyncio.sleep(0.02)
            if not task.done():
                waited += 1  # the queue was full: the stream waits
                gate.set()
            await task
        return waited

    try:
        assert asyncio.run(feed()) >= 1
        writer.drain()
    finally:
        writer.close()
    assert written == list(range(6))
    assert prefetched == list(range(6))


def test_a_failed_write_drops_the_items_behind_it_and_is_raised() -> None:
    written: list[int] = []

    def write(item: int) -> None:
        if item == 1:
            raise RuntimeError("disk full")
        written.append(item)

    writer = BackgroundWriter(write, depth=4)

    async def feed() -> None:
        for i in range(4):
            try:
                await writer.put(i)
            except RuntimeError:
                return  # the failure may show here already: the stream stops

    try:
        asyncio.run(feed())
        with pytest.raises(RuntimeError, match="disk full"):
            writer.drain()
        writer.drain()  # raised once; the next stream starts clean
        asyncio.run(writer.put(9))
        writer.drain()
    finally:
        writer.close()
    assert written == [0, 9]  # 2 and 3 would have moved the cursor past the failed 1


def test_jetstream_messages_decode_in_bulk_skipping_bad_ones() -> None:
    good = '{"time_us": 1, "kind": "commit"}'
    assert decode_many([good, b'{"time_us": 2}']) == [
        (good, {"time_us": 1, "kind": "commit"}),
        ('{"time_us": 2}', {"time_us": 2}),
    ]
    assert [v for _, v in decode_many([good, "{broken", "[1]"])] == [
        {"time_us": 1, "kind": "commit"}
    ]
