"""`resonanz enrich` and `resonanz train` on JSONL files, including bad lines."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main


def test_enrich_reports_bad_lines_and_keeps_going(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'{"id": 1, "text": "Great phone, love it!", "author_bio": "Tech journalist"}\n'
        b"{not json\n"
        b'{"id": 2, "text": "bad \xff byte"}\n'
        b'{"id": 3, "text": "\\ud800 lone surrogate", "lang": "en"}\n'
    )
    out, bad = tmp_path / "out.jsonl", tmp_path / "bad.jsonl"
    result = CliRunner().invoke(
        main, ["enrich", str(source), "-o", str(out), "--quarantine", str(bad)]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 3]
    assert rows[0]["sentiment"] == "positive" and rows[0]["stakeholder"] == "press"
    assert rows[1]["text"] == "\ufffd lone surrogate" and "question" not in rows[1]["intents"]
    reasons = [json.loads(line)["reason"] for line in bad.read_text(encoding="utf-8").splitlines()]
    assert reasons[0].startswith("invalid JSON") and reasons[1].startswith("invalid UTF-8")


def test_train_then_enrich_with_model_dir(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    rows = [{"text": f"the widget is fab number {i}", "sentiment": "positive"} for i in range(10)]
    rows += [{"text": f"the widget is meh number {i}", "sentiment": "negative"} for i in range(10)]
    data.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    models = tmp_path / "models"
    runner = CliRunner()
    result = runner.invoke(main, ["train", "sentiment", "--data", str(data), "--out", str(models)])
    assert result.exit_code == 0, result.output
    assert (models / "sentiment.npz").exists() and (models / "MODEL_CARD_sentiment.md").exists()
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "this widget is meh"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["enrich", str(source), "-o", str(out), "--model-dir", str(models)]
    assert runner.invoke(main, args).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["sentiment"] == "negative"
