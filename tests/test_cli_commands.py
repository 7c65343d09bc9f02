"""The table of commands per module matches what each module registers; help lists all."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
from click.testing import CliRunner

from resonanz.cli import COMMANDS, main


def test_every_module_registers_exactly_its_listed_commands() -> None:
    for module, names in COMMANDS.items():
        group = click.Group()
        importlib.import_module(f"resonanz.cli.{module}").register(group)
        assert sorted(group.commands) == sorted(names), module


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    for names in COMMANDS.values():
        for name in names:
            assert f"  {name} " in result.output


def test_a_command_loads_only_its_own_module() -> None:
    probe = (
        "import sys\n"
        "from resonanz.cli import main\n"
        "main(['init', '--help'], standalone_mode=False)\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('resonanz.cli.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = out.stdout.split("LOADED", 1)[1]
    assert "resonanz.cli.workspace_cmds" in loaded
    assert "resonanz.cli.web_cmds" not in loaded and "resonanz.cli.enrich_cmds" not in loaded
