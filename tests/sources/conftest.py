"""Fixtures for connector tests: local protocol servers on ephemeral ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from resonanz.localnet.app import build_app
from resonanz.localnet.server import run_in_thread
from resonanz.localnet.state import NetworkState


@pytest.fixture
def serve() -> Iterator[Callable[[str, NetworkState], str]]:
    """Start local network servers; return their base URLs; stop them afterwards."""
    stops: list[Callable[[], None]] = []

    def start(network: str, state: NetworkState) -> str:
        url, stop = run_in_thread(build_app(network, state))
        stops.append(stop)
        return url

    yield start
    for stop in stops:
        stop()
