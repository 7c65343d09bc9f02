"""`resonanz enrich`, `resonanz train` and `resonanz eval`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from resonanz.cli.options import dumps, load_workspace
from resonanz.records import replace_lone_surrogates

TASK_CHOICE = click.Choice(["sentiment", "emotion", "aspects", "intents"])
CHUNK = 10_000
_DEFAULT_DATA = Path("..") / "shared" / "data"


def _records(path: Path, bad: TextIO | None) -> tuple[list[dict[str, Any]], int]:
    """Read JSONL records; report invalid lines with their reason instead of failing."""
    rows: list[dict[str, Any]] = []
    errors = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            reason = None
            try:
                record = json.loads(raw.decode("utf-8"))
                if not isinstance(record, dict) or not isinstance(record.get("text", ""), str):
                    reason = "not a JSON object with a string 'text'"
            except UnicodeDecodeError as exc:
                reason = f"invalid UTF-8: {exc.reason} at byte {exc.start}"
            except json.JSONDecodeError as exc:
                reason = f"invalid JSON: {exc.msg} at column {exc.colno}"
            if reason is not None:
                errors += 1
                click.echo(f"{path}:{number}: skipped, {reason}", err=True)
                if bad is not None:
                    bad.write(
                        dumps(
                            {
                                "line": number,
                                "reason": reason,
                                "raw": raw.decode("utf-8", "replace"),
                            }
                        )
                        + "\n"
                    )
                continue
            # Lone surrogates from JSON escapes cannot be encoded: mark them as unreadable
            # (U+FFFD), not as "?", which would read as a question.
            record["text"] = replace_lone_surrogates(str(record.get("text") or ""))
            rows.append(record)
    return rows, errors


@click.command("enrich")
@click.argument(
    "input_path", required=False, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output JSONL (default: stdout).",
)
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Models trained with `resonanz train`.",
)
@click.option(
    "--quarantine",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write bad input lines here with their reason.",
)
@click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --stored: the workspace.",
)
@click.option(
    "--stored",
    is_flag=True,
    help="Re-enrich the workspace's stored posts and authors whose enricher version changed.",
)
def enrich_cmd(
    input_path: Path | None,
    output: Path | None,
    model_dir: Path | None,
    quarantine: Path | None,
    workspace_dir: Path | None,
    stored: bool,
) -> None:
    """Enrich posts: INPUT.jsonl -> OUTPUT.jsonl, or the stored posts of a workspace (--stored)."""
    if stored:
        _enrich_stored(workspace_dir or Path("."))
        return
    if input_path is None:
        raise click.UsageError("give INPUT.jsonl, or --stored with --workspace")
    from resonanz.enrich.registry import EnrichPipeline

    pipeline = EnrichPipeline(model_dir)
    bad = quarantine.open("w", encoding="utf-8") if quarantine else None
    try:
        rows, errors = _records(input_path, bad)
    finally:
        if bad is not None:
            bad.close()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for start in range(0, len(rows), CHUNK):
            _write_chunk(pipeline, rows[start : start + CHUNK], out)
    finally:
        if output:
            out.close()
    click.echo(f"enriched {len(rows)} records, skipped {errors}", err=True)


def _write_chunk(pipeline: Any, rows: list[dict[str, Any]], out: TextIO) -> None:
    from resonanz.enrich.stakeholder import StakeholderEnricher

    cols = pipeline.columns([r["text"] for r in rows], [r.get("lang") for r in rows])
    values = {name: array.to_pylist() for name, array in cols.items()}
    authors = StakeholderEnricher()
    for i, row in enumerate(rows):
        for name, column in values.items():
            row[name] = column[i]
        if any(row.get(k) for k in ("author_bio", "author_handle", "author_followers")):
            group, confidence, evidence = authors.classify(
                {
                    "bio": row.get("author_bio"),
                    "handle": row.get("author_handle"),
                    "followers": row.get("author_followers"),
                },
                None,
            )
            row["stakeholder"], row["stakeholder_confidence"] = group, confidence
            row["stakeholder_evidence"] = evidence
        out.write(dumps(row) + "\n")


def _enrich_stored(workspace_dir: Path) -> None:
    from resonanz.enrich import build_author_enrich, build_pipeline
    from resonanz.enrich.reenrich import author_stamp, reenrich_authors, reenrich_posts, stale_posts

    workspace = load_workspace(workspace_dir)
    pipeline = build_pipeline(workspace.settings, workspace.folder)
    with workspace.open(write=True) as store:
        click.echo(
            f"{stale_posts(store, pipeline.stamp)} stored posts need re-enrichment", err=True
        )
        posts = reenrich_posts(store, pipeline, pipeline.stamp)
        author_enrich = build_author_enrich(workspace.settings, workspace.folder)
        authors = reenrich_authors(store, author_enrich, author_stamp()) if author_enrich else 0
    click.echo(f"re-enriched {posts} posts and {authors} authors")


@click.command("train")
@click.argument("task", type=TASK_CHOICE)
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Labelled JSONL records (repeatable).",
)
@click.option(
    "--from-corrections",
    "corrections_ws",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Also learn from the analysts' corrections stored in this workspace.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Model folder (use with --model-dir).",
)
@click.option("--balanced", is_flag=True, help="Weight classes equally (for macro metrics).")
def train_cmd(
    task: str, data: tuple[Path, ...], corrections_ws: Path | None, out: Path, balanced: bool
) -> None:
    """Train or adapt TASK from labelled posts and write it to --out.

    Sentiment and emotion choose their setting by 3-fold cross-validation on the records
    (from 90 records on: logistic or hinge heads, plain or NB-SVM scaled, with class
    offsets); the model card written beside the model lists every candidate's score.
    """
    from resonanz.enrich.adapt import save_task, train_task

    if not data and corrections_ws is None:
        raise click.UsageError("give --data FILE.jsonl and/or --from-corrections WORKSPACE")
    rows: list[dict[str, Any]] = []
    errors = 0
    for path in data:
        found, bad = _records(path, None)
        rows += found
        errors += bad
    if corrections_ws is not None:
        from resonanz.web.corrections import training_rows
        from resonanz.workspace import Workspace

        with Workspace.load(corrections_ws).open(write=False) as store:
            rows += list(training_rows(store.con, task))
    head = train_task(task, rows, balanced=balanced)
    path = save_task(head, out, {"records": len(rows), "skipped": errors})
    click.echo(f"wrote {path} ({len(head.labels)} labels, version {head.version})")


@click.command("eval")
@click.argument(
    "datasets", nargs=-1, type=click.Choice(["germeval2017", "tweeteval", "sb10k", "goemotions"])
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=_DEFAULT_DATA,
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--results",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures as JSON here (e.g. benchmarks/results/eval.json).",
)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a Markdown table here (e.g. benchmarks/EVAL.md).",
)
def eval_cmd(
    datasets: tuple[str, ...],
    data_dir: Path,
    as_json: bool,
    results: Path | None,
    markdown_path: Path | None,
) -> None:
    """Evaluate adapted models, shipped defaults and baselines on the research sets."""
    from resonanz.evaluation.harness import NO_TRAIN, run
    from resonanz.evaluation.report import markdown

    figures = [r.to_dict() for r in run(datasets, data_dir)]
    for path, text in ((results, dumps(figures, indent=2)), (markdown_path, markdown(figures))):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
    if as_json:
        click.echo(dumps(figures, indent=2))
        return
    click.echo(markdown(figures))
    if not datasets or "germeval2017" in datasets:
        click.echo(f"Note: GermEval 2017 — {NO_TRAIN}.")


def register(main: click.Group) -> None:
    """Add this module's commands to ``main``."""
    main.add_command(enrich_cmd)
    main.add_command(train_cmd)
    main.add_command(eval_cmd)
