"""`resonanz demo`: build, summarise, reuse, rebuild and refuse foreign workspaces."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.demo import load_truth
from resonanz.workspace import Workspace


def test_demo_builds_summarises_reuses_and_rebuilds(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    runner = CliRunner()
    args = ["demo", "--no-serve", "--posts", "1500", "--workspace", str(folder)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    for expected in ("Built the demo workspace", "Posts: 1,500", "by platform: ", "by language: ",
                     "Topics: rheinrad (brand", "Crisis: battery of kolibri", "Viral campaign",
                     "Questions to our accounts", str(folder)):  # fmt: skip
        assert expected in first.output
    again = runner.invoke(main, args)
    assert again.exit_code == 0 and "Reusing the demo workspace" in again.output
    forced = runner.invoke(main, [*args, "--force", "--seed", "5"])
    assert forced.exit_code == 0, forced.output
    assert load_truth(folder)["seed"] == 5


def test_demo_refuses_a_folder_with_another_workspace(tmp_path: Path) -> None:
    mine = Workspace.init(tmp_path / "mine")
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--workspace", str(mine.folder)])
    assert result.exit_code == 1
    assert "not a demo" in result.output
