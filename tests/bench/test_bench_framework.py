"""``resonanz bench``: runs listed modules, writes JSON results and the README table."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resonanz.bench import BENCHMARKS
from resonanz.bench.report import BEGIN, END, markdown, update_readme
from resonanz.bench.runner import benchmark_name
from resonanz.cli import main


def test_every_listed_module_has_a_run_function() -> None:
    import importlib

    names = [benchmark_name(m) for m in BENCHMARKS]
    assert len(set(names)) == len(names)
    for module in BENCHMARKS:
        assert callable(importlib.import_module(module).run)


def test_quick_run_writes_results_and_table(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks" / "results"
    readme = tmp_path / "benchmarks" / "README.md"
    readme.parent.mkdir()
    readme.write_text("# Benchmarks\n\nHow to read these.\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["bench", "--quick", "--only", "import_memory", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)[0]["figures"]
    assert figures["peak_rss_mb_small"] > 0 and figures["peak_rss_mb_large"] > 0
    stored = json.loads((out / "import_memory.json").read_text(encoding="utf-8"))
    assert stored["machine"]["cores"] and stored["machine"]["duckdb"]
    assert stored["machine"]["cpu_probe_ms"] > 0  # the host's speed when the run started
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nHow to read these.")
    assert "| import_memory | growth_ratio |" in text and "Machine: cpu" in text


def test_readme_section_is_replaced_not_appended(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    results = [{"name": "x", "figures": {"a": 1, "nested": {"b": 2.5}}, "finished_at": "now"}]
    update_readme(readme, markdown(results, {"cpu": "test"}))
    update_readme(readme, markdown(results, {"cpu": "test"}))
    text = readme.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert "| x | nested.b | 2.5 |" in text


def test_unknown_benchmark_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["bench", "--only", "nope", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "nope" in result.output
