"""Render evaluation figures as a Markdown table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def markdown(figures: Sequence[Mapping[str, Any]]) -> str:
    """Return one Markdown table row per figure, grouped by dataset and task."""
    lines = [
        "| dataset | task | system | metric | value | n | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f['dataset']} | {f['task']} | {f['system']} | {f['metric']} | "
            f"{f['value']:.4f} | {f['n']} | {f['note']} |"
        )
    return "\n".join(lines) + "\n"
