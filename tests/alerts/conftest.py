"""Alert tests run on the insight tests' synthetic world (loaded from its file by path)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from resonanz.workspace import Workspace


def _world_module() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "insights" / "synthetic_world.py"
    spec = importlib.util.spec_from_file_location("synthetic_world", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


WORLD = _world_module()


@pytest.fixture
def alert_world(tmp_path: Path) -> Workspace:
    """A fresh copy of the synthetic world (alert runs write to it)."""
    workspace, _ = WORLD.build_world(tmp_path / "ws")
    return workspace
