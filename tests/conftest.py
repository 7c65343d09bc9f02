"""Shared fixtures: real workspaces in temporary folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from resonanz.store import Store
from resonanz.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh workspace with the example config."""
    return Workspace.init(tmp_path / "ws")


@pytest.fixture
def store(workspace: Workspace) -> Iterator[Store]:
    """The fresh workspace's database, opened as the writer."""
    with workspace.open(write=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo workspace (about 8,000 posts) built once per test run; do not write to it.

    Its ground truth is in ``resonanz.demo.load_truth(folder)``.
    """
    from resonanz.demo import build_demo

    folder = tmp_path_factory.mktemp("demo-world") / "ws"
    build_demo(folder, seed=42, posts=8_000)
    return folder
