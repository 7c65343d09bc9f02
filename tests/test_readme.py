"""The README's examples stay true: its settings parse and its tour names real commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from resonanz.cli import main
from resonanz.config import parse_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_settings_parse() -> None:
    blocks = _blocks("toml")
    assert blocks, "the README shows an example resonanz.toml"
    for block in blocks:
        parse_settings(block, "README.md")


def _tour_commands() -> list[list[str]]:
    commands = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            words: list[str] = []
            for word in [*shlex.split(line, comments=True), "&&"]:
                if word not in ("&&", ";"):
                    words.append(word)
                    continue
                if words and words[0] == "resonanz":
                    commands.append(words[1:])
                words = []
    return commands


@pytest.mark.parametrize("words", _tour_commands(), ids=lambda w: " ".join(w[:2]))
def test_readme_tour_names_real_commands_and_options(words: list[str]) -> None:
    command: click.Command = main
    ctx = click.Context(main)
    rest = list(words)
    while isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        sub = command.get_command(ctx, rest[0])
        assert sub is not None, f"no command {' '.join(words)!r}"
        command, rest = sub, rest[1:]
    known = {
        opt
        for param in command.params
        for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
    }
    for word in rest:
        if word.startswith("--"):
            assert word.split("=")[0] in known, f"{word} is not an option of {words[0]}"
