"""Write benchmark results: one JSON file per benchmark and a Markdown table in the README."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

BEGIN: Final = "<!-- bench:results:begin -->"
END: Final = "<!-- bench:results:end -->"
MAX_ROWS_PER_BENCHMARK: Final = 40


def write_result(out: Path, result: Mapping[str, Any]) -> Path:
    """Write ``<out>/<name>.json``."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{result['name']}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def print_figures(figures: Mapping[str, Any], out: Path | None = None) -> None:
    """Print ``figures`` as JSON; also write them to ``out`` when one is given."""
    text = json.dumps(figures, indent=2)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    print(text)


def flatten(figures: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted.name, value)`` for nested figures."""
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, f"{name}.")
        elif isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
            # a series of records (a timeline) does not fit a table cell: the JSON has it
            yield name, f"{len(value)} records (in the JSON file)"
        elif isinstance(value, list):
            yield name, ", ".join(str(v) for v in value)
        else:
            yield name, value


def _cell(value: Any) -> str:
    text = (
        f"{value:,}"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(value)
    )
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(results: Sequence[Mapping[str, Any]], machine: Mapping[str, Any]) -> str:
    """Return the README section: the machine and one table of every figure."""
    lines = [
        BEGIN,
        "",
        "Machine: " + ", ".join(f"{k} {_cell(v)}" for k, v in machine.items()),
        "",
        "| benchmark | figure | value |",
        "|---|---|---|",
    ]
    for result in results:
        rows = list(flatten(result.get("figures") or {"error": result.get("error")}))
        for key, value in rows[:MAX_ROWS_PER_BENCHMARK]:
            lines.append(f"| {result['name']} | {_cell(key)} | {_cell(value)} |")
        lines.append(f"| {result['name']} | run at | {result.get('finished_at', '')} |")
    lines += ["", END]
    return "\n".join(lines)


def update_readme(readme: Path, section: str) -> None:
    """Replace the results section of ``readme`` (append it when missing)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + section + "\n"
    readme.write_text(text, encoding="utf-8")
