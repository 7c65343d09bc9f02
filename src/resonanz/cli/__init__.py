"""The ``resonanz`` command line: a thin layer over the library.

Each command group lives in its own module with a ``register(group)`` function.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Final

import click

from resonanz.errors import ResonanzError

#: The commands each module under ``resonanz.cli`` adds with its ``register``. A command's
#: module is imported only when that command runs (or help lists them all), so that a
#: command does not pay for loading every other one; a test keeps this table in step.
COMMANDS: Final[dict[str, tuple[str, ...]]] = {
    "workspace_cmds": ("init", "quarantine", "secret", "stats"),
    "import_cmd": ("export", "import"),
    "search_cmd": ("search",),
    "topic_cmds": ("topics",),
    "demo_cmd": ("demo",),
    "privacy_cmds": ("export-author", "forget", "retention"),
    "source_cmds": ("accounts", "fetch", "listen", "localnet"),
    "enrich_cmds": ("enrich", "eval", "train"),
    "insight_cmds": ("alerts", "insights"),
    "engage_cmds": ("calendar", "inbox", "links", "publish", "reply"),
    "web_cmds": ("api-token", "corrections", "report", "serve", "users"),
    "bench_cmd": ("bench",),
    "scale_cmds": ("scale",),
}
_MODULE_OF: Final = {command: module for module, names in COMMANDS.items() for command in names}


class ResonanzGroup(click.Group):
    """A group that loads its commands on demand and prints our errors as one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(_MODULE_OF))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _MODULE_OF.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            importlib.import_module(f"resonanz.cli.{module}").register(self)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ResonanzError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=ResonanzGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="resonanz")
def main() -> None:
    """Resonanz — listen to what people say, understand it, and answer.

    Start with `resonanz demo`, or `resonanz init DIR` for a workspace of your own.
    """
