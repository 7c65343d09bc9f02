"""Fixtures of the insight tests: the synthetic world, built once per run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from synthetic_world import World, build_world

from resonanz.workspace import Workspace


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, World]:
    """The synthetic world's workspace (built once) and its answers."""
    return build_world(tmp_path_factory.mktemp("insights") / "ws")


@pytest.fixture
def world_con(synthetic: tuple[Workspace, World]) -> Iterator[Any]:
    """A read-only connection to the synthetic world."""
    with synthetic[0].open() as store:
        yield store.con
