"""Run a Starlette app with uvicorn on 127.0.0.1 and an ephemeral port, in a thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

START_TIMEOUT_SECONDS = 15.0


def run_in_thread(
    app: Starlette, host: str = "127.0.0.1", port: int = 0
) -> tuple[str, Callable[[], None]]:
    """Start ``app`` in a background thread; return its base URL and a ``stop()`` function."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"localnet:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            raise RuntimeError(f"local server on {host}:{port} did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(10)

    return f"http://{host}:{bound}", stop
