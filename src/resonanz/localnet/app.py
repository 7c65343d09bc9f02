"""Build one Starlette app per network: its read side plus, when present, its write side."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from resonanz.localnet.state import NetworkState

NETWORKS = ("mastodon", "bluesky", "reddit", "hackernews", "rss")


def _module_routes(name: str) -> Callable[[NetworkState], list[BaseRoute]] | None:
    full = f"resonanz.localnet.{name}"
    if importlib.util.find_spec(full) is None:
        return None
    module = importlib.import_module(full)  # import errors surface: never hide a broken module
    routes: Callable[[NetworkState], list[BaseRoute]] = module.routes
    return routes


def build_app(network: str, state: NetworkState | None = None) -> Starlette:
    """Return the app serving ``network`` from ``state`` (a fresh, empty state by default)."""
    if network not in NETWORKS:
        raise ValueError(f"unknown network {network!r}; one of {', '.join(NETWORKS)}")
    state = state or NetworkState(network)
    routes: list[BaseRoute] = []
    for name in (network, f"{network}_write"):
        make = _module_routes(name)
        if make is not None:
            routes.extend(make(state))
    app = Starlette(routes=routes)
    app.state.network = state
    return app
