"""``resonanz scale insights`` computes insights over enriched Parquet without a workspace DB."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.config import Settings, TopicSettings
from resonanz.enrich import build_enrich
from resonanz.importers.normalize import Defaults, normalize
from resonanz.query import topic_matcher
from resonanz.records import POST_SCHEMA
from resonanz.scale.firehose import post_rows
from resonanz.scale.spark import conform_enriched

TOML = (
    '[topics.m0]\nkind = "brand"\nquery = "marke0x"\n'
    '[topics.m1]\nkind = "competitor"\nquery = "marke1x"\n'
)


def _lake(folder: Path) -> tuple[Path, Path]:
    defaults = Defaults("bluesky", "test", datetime(2026, 3, 2, tzinfo=UTC))
    rows = [normalize(row, defaults)[0] for row in post_rows(400, topics=5)]
    posts = pa.Table.from_pylist(rows, schema=POST_SCHEMA)
    settings = Settings(
        topics={
            "m0": TopicSettings(kind="brand", query="marke0x"),
            "m1": TopicSettings(kind="competitor", query="marke1x"),
        }
    )
    enrich = build_enrich(settings, None)
    enriched = conform_enriched(enrich(posts) if enrich else posts)
    match = topic_matcher({"m0": "marke0x", "m1": "marke1x"})
    assert match is not None
    pq.write_table(enriched, folder / "enriched.parquet")
    pq.write_table(match(enriched), folder / "matches.parquet")
    (folder / "resonanz.toml").write_text(TOML, encoding="utf-8")
    return folder / "enriched.parquet", folder / "matches.parquet"


def test_scale_insights_over_parquet(tmp_path: Path) -> None:
    enriched, matches = _lake(tmp_path)
    runner = CliRunner()
    args = ["scale", "insights", "share-of-voice", "--input", str(enriched)]
    result = runner.invoke(main, [*args, "--matches", str(matches), "-w", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "m0" in json.dumps(data) and "m1" in json.dumps(data)

    result = runner.invoke(main, ["scale", "insights", "sentiment", "--input", str(enriched)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)


def test_scale_insights_names_the_known_insights(tmp_path: Path) -> None:
    enriched, _ = _lake(tmp_path)
    result = CliRunner().invoke(main, ["scale", "insights", "nope", "--input", str(enriched)])
    assert result.exit_code != 0
    assert "share-of-voice" in result.output
