"""A ``kill -9`` in the middle of an import, then the same import: every record exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from resonanz.workspace import Workspace

POSTS = 40_000
BAD_EVERY = 997  # one bad line in every 997


def write_big_file(path: Path) -> tuple[int, int]:
    """Write good posts with regularly spaced bad lines; return (good, bad) counts."""
    good = bad = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(POSTS):
            if i % BAD_EVERY == 0:
                fh.write(f'{{"id": "broken-{i}", "text": \n')
                bad += 1
                continue
            record = {
                "id": f"p{i}",
                "text": f"post number {i} about #acme",
                "created_at": "2026-02-01T12:00:00Z",
                "author": f"user{i % 500}",
                "likes": i % 7,
            }
            fh.write(json.dumps(record) + "\n")
            good += 1
    return good, bad


def import_command(workspace: Workspace, path: Path, *extra: str) -> list[str]:
    return [
        *(sys.executable, "-m", "resonanz", "import", str(path), "-w", str(workspace.folder)),
        *("--batch-size", "4000", "--no-enrich", *extra),
    ]


def start_import(workspace: Workspace, path: Path) -> subprocess.Popen[str]:
    command = import_command(workspace, path, "--verbose")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_kill_during_import_then_rerun_stores_every_record_once(
    workspace: Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "big.jsonl"
    good, bad = write_big_file(path)
    proc = start_import(workspace, path)
    assert proc.stderr is not None
    with proc.stderr:
        committed = 0
        for line in proc.stderr:
            committed += line.startswith("stored batch:")
            if committed == 3:
                os.kill(proc.pid, signal.SIGKILL)
                break
    assert proc.wait() == -signal.SIGKILL
    with workspace.open() as store:
        partial = store.count("posts")
    assert 0 < partial < good, "the kill must land in the middle of the import"

    rerun = subprocess.run(
        import_command(workspace, path, "--json"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 3, rerun.stderr
    assert json.loads(rerun.stdout)["read"] < POSTS  # it resumed instead of starting over
    with workspace.open() as store:
        assert store.count("posts") == good
        assert store.count("quarantine") == bad
        # Metrics are appended once per stored observation: a re-stored batch would show.
        assert store.count("post_metrics") == good
        dupes = store.con.execute(
            "SELECT count(*) FROM (SELECT location FROM quarantine GROUP BY 1 HAVING count(*) > 1)"
        ).fetchone()
        assert dupes == (0,)
