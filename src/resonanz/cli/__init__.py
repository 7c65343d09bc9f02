"""The ``resonanz`` command line: a thin layer over the library.

Each command group lives in its own module with a ``register(group)`` function.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from resonanz.errors import ResonanzError

#: Modules under ``resonanz.cli`` whose ``register`` adds commands, in help order.
COMMAND_MODULES = (
    "workspace_cmds",
    "import_cmd",
    "search_cmd",
    "topic_cmds",
    "demo_cmd",
    "privacy_cmds",
    "source_cmds",
    "enrich_cmds",
    "insight_cmds",
    "engage_cmds",
    "web_cmds",
    "bench_cmd",
    "scale_cmds",
)


class ResonanzGroup(click.Group):
    """A group that prints our errors as one line instead of a traceback."""

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


for _name in COMMAND_MODULES:
    importlib.import_module(f"resonanz.cli.{_name}").register(main)
