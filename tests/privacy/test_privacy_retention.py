"""Retention: raw payloads and old posts disappear after the configured number of days."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.records import utcnow
from resonanz.workspace import Workspace

CONFIG = "[retention]\nraw_days = 30\nposts_days = 365\n"


def posts_file(tmp_path: Path) -> Path:
    now = utcnow()
    posts = [
        {
            "id": "old",
            "text": "very old",
            "created_at": (now - timedelta(days=400)).isoformat(),
            "author": "a",
            "x": 1,
        },
        {
            "id": "reply",
            "text": "old reply",
            "created_at": (now - timedelta(days=399)).isoformat(),
            "author": "b",
            "reply_to": "old",
            "x": 2,
        },
        {
            "id": "new",
            "text": "recent",
            "created_at": (now - timedelta(days=3)).isoformat(),
            "author": "a",
            "x": 3,
            "collected_at": (now - timedelta(days=40)).isoformat(),
        },
        {"id": "fresh", "text": "fresh", "created_at": now.isoformat(), "author": "c", "x": 4},
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in posts), encoding="utf-8")
    return path


def test_import_applies_retention(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    result = CliRunner().invoke(main, ["import", str(posts_file(tmp_path)), "-w", str(ws.folder)])
    assert result.exit_code == 0, result.output
    with ws.open() as store:
        rows = store.con.execute("SELECT native_id, raw IS NULL FROM posts ORDER BY 1").fetchall()
        assert rows == [("fresh", False), ("new", True)]
        assert store.count("edges") == 0
        assert store.con.execute("SELECT action FROM privacy_log").fetchall() == [("retention",)]


def test_dry_run_counts_without_deleting(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    CliRunner().invoke(main, ["import", str(posts_file(tmp_path)), "-w", str(ws.folder)])
    (ws.folder / "resonanz.toml").write_text(CONFIG, encoding="utf-8")
    dry = CliRunner().invoke(main, ["retention", "--dry-run", "--json", "-w", str(ws.folder)])
    counts = json.loads(dry.stdout)
    assert counts["deleted"]["posts"] == 2 and counts["raw_cleared"]["posts"] >= 1
    with ws.open() as store:
        assert store.count("posts") == 4
    done = CliRunner().invoke(main, ["retention", "-w", str(ws.folder)])
    assert "Removed rows: " in done.stdout
    with ws.open() as store:
        assert store.count("posts") == 2


def test_retention_off_by_default(workspace: Workspace) -> None:
    result = CliRunner().invoke(main, ["retention", "-w", str(workspace.folder)])
    assert "Retention is off" in result.stdout
