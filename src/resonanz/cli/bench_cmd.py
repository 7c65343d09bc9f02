"""``resonanz bench``: run the benchmarks and record their figures."""

from __future__ import annotations

from pathlib import Path

import click

from resonanz.bench.runner import run_benchmarks
from resonanz.cli.options import dumps


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("benchmarks/results"),
    show_default=True,
    help="Folder for <name>.json; the README beside it gets the table.",
)
@click.option("--only", multiple=True, metavar="NAME", help="Run only this benchmark (repeatable).")
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run of seconds.")
@click.option("--repeat", type=click.IntRange(1), help="Repetitions per timing (default 3).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def bench(out: Path, only: tuple[str, ...], quick: bool, repeat: int | None, as_json: bool) -> None:
    """Run the benchmarks: import throughput and memory, search latency, and more.

    Writes OUT/<name>.json and the results table of OUT/../README.md.
    """
    try:
        results = run_benchmarks(
            out, quick=quick, only=only, repeat=repeat, echo=lambda m: click.echo(m, err=True)
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--only") from None
    if as_json:
        click.echo(dumps(results, indent=2))
        return
    for result in results:
        status = f"error: {result['error']}" if "error" in result else "ok"
        click.echo(f"{result['name']}: {status} ({result['seconds']} s)")
    click.echo(f"Results in {out}; table in {out.parent / 'README.md'}")


def register(main: click.Group) -> None:
    """Add ``bench``."""
    main.add_command(bench)
