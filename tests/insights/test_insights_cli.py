"""`resonanz insights NAME` prints one JSON document, CSV or a table."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from synthetic_world import World

from resonanz.cli import main
from resonanz.insights import INSIGHTS
from resonanz.workspace import Workspace


@pytest.mark.parametrize("name", sorted(INSIGHTS))
def test_each_insight_prints_one_json_document(
    synthetic: tuple[Workspace, World], name: str
) -> None:
    folder = str(synthetic[0].folder)
    args = ["insights", name, "-w", folder, "--until", "2026-03-02", "--topic", "acme", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.output), dict)


def test_csv_and_table_and_bad_dates(synthetic: tuple[Workspace, World]) -> None:
    folder = str(synthetic[0].folder)
    runner = CliRunner()
    csv_out = runner.invoke(main, ["insights", "share-of-voice", "-w", folder, "--csv"])
    assert csv_out.exit_code == 0 and csv_out.output.startswith("topic,posts")
    table = runner.invoke(main, ["insights", "cascades", "-w", folder, "--platform", "mastodon"])
    assert table.exit_code == 0 and "┏" in table.output
    cascades = runner.invoke(main, ["insights", "cascades", "-w", folder, "--csv"])
    assert ",anna," in cascades.output
    bad = runner.invoke(main, ["insights", "trends", "-w", folder, "--since", "yesterday"])
    assert bad.exit_code == 2 and "ISO date" in bad.output
