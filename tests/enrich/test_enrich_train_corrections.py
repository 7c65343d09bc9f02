"""`resonanz train --from-corrections` learns from the analysts' corrections of a workspace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.ingest import Batch, Ingestor
from resonanz.records import POST_SCHEMA, to_table
from resonanz.web.corrections import correct
from resonanz.workspace import Workspace

TEXTS = {
    "negative": ["Der Akku ist schon wieder kaputt", "Lieferung seit Wochen verspätet, Frechheit"],
    "positive": ["Super Service, danke!", "Das neue Rad fährt sich traumhaft"],
}


def test_train_from_corrections_writes_a_model(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    at = datetime(2026, 5, 1, tzinfo=UTC)
    rows = []
    for label, texts in TEXTS.items():
        for i, text in enumerate(texts):
            rows.append(
                {
                    "platform": "mastodon",
                    "native_id": f"{label}-{i}",
                    "text": text,
                    "created_at": at,
                    "collected_at": at,
                }
            )
    with ws.open(write=True) as store:
        Ingestor(store).write(Batch(posts=to_table(rows, POST_SCHEMA)))
        for row in rows:
            label = str(row["native_id"]).split("-")[0]
            correct(store.con, "mastodon", str(row["native_id"]), "sentiment", label, "ana")
    out = tmp_path / "models"
    result = CliRunner().invoke(
        main, ["train", "sentiment", "--from-corrections", str(ws.folder), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "sentiment.npz").exists()
    missing = CliRunner().invoke(main, ["train", "sentiment", "--out", str(out)])
    assert missing.exit_code == 2 and "--from-corrections" in missing.output
