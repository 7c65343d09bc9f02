"""Render evaluation figures as a Markdown table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def markdown(figures: Sequence[Mapping[str, Any]]) -> str:
    """Return one Markdown table row per figure, grouped by dataset and task."""
    lines = [
        "# Enrichment quality",
        "",
        "Written by `resonanz eval --data-dir ../shared/data --results benchmarks/results/eval.json"
        " --markdown benchmarks/EVAL.md`. `adapted` = trained in the same run with"
        " `resonanz train`'s code on the set's own training split; `shipped_default` = the"
        " models inside the package, zero-shot. GermEval 2017: the official train split is not"
        " available here, so adapted models are trained on dev and scored on test_syn; how the"
        " adaptation's settings were chosen (cross-validation on dev only, test_syn scored once)"
        " is in `src/resonanz/enrich/models/MODEL_CARD.md`.",
        "",
        "| dataset | task | system | metric | value | n | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        lines.append(
            f"| {f['dataset']} | {f['task']} | {f['system']} | {f['metric']} | "
            f"{f['value']:.4f} | {f['n']} | {f['note']} |"
        )
    return "\n".join(lines) + "\n"
