"""Scale-out: the same enrichers on Spark (local mode) give the in-process results."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.config import Settings, TopicSettings
from resonanz.enrich import build_enrich
from resonanz.query import topic_matcher
from resonanz.records import POST_SCHEMA, to_table
from resonanz.scale.lake import open_lake
from resonanz.scale.spark import conform_enriched

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
TEXTS = [
    "Der Akku meines Velora Phone ist nach zwei Tagen kaputt. Katastrophe!",
    "Love the new camera, best purchase this year 😍",
    "Wie lange dauert die Lieferung nach Österreich?",
    "Thinking about switching to Rival, support never answers.",
    "ok",
    "",
    "https://example.com",
]


def _posts(n: int) -> pa.Table:
    rows = [
        {
            "platform": "mastodon" if i % 2 else "bluesky",
            "native_id": str(i),
            "author": f"user{i % 17}",
            "text": TEXTS[i % len(TEXTS)] + f" #{i % 5}",
            "created_at": T0 + timedelta(minutes=i),
            "collected_at": T0 + timedelta(days=1),
            "likes": i % 7,
        }
        for i in range(n)
    ]
    return to_table(rows, POST_SCHEMA)


@pytest.fixture(scope="module")
def spark() -> object:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime (make setup installs openjdk-17-jre-headless)")
    pytest.importorskip(
        "pyspark", reason="PySpark is not installed (pip install 'resonanz[spark]')"
    )
    from resonanz.scale.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()


TOPICS = {
    "brand": TopicSettings(kind="brand", query="velora OR akku"),
    "rival": TopicSettings(kind="competitor", query="rival"),
}


def test_spark_enrichment_equals_in_process(spark: object, tmp_path: Path) -> None:
    from resonanz.scale.spark import enrich_parquet

    posts = _posts(500)
    source = tmp_path / "posts.parquet"
    pq.write_table(posts, source)
    settings = Settings(topics=TOPICS)
    matches_path = tmp_path / "matches"
    rows = enrich_parquet(spark, source, tmp_path / "enriched", settings, None, matches_path)
    assert rows == 500

    enrich = build_enrich(settings, None)
    expected = conform_enriched(enrich(posts) if enrich else posts)
    got = pq.read_table(tmp_path / "enriched").sort_by("native_id")
    want = expected.sort_by("native_id")
    for name in ("native_id", "lang", "sentiment", "emotion", "aspects", "intents", "enriched"):
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
    scores = zip(
        got.column("sentiment_score").to_pylist(),
        want.column("sentiment_score").to_pylist(),
        strict=True,
    )
    assert all(a == b or abs(a - b) < 1e-6 for a, b in scores if a is not None)

    match = topic_matcher({name: t.query for name, t in TOPICS.items()})
    assert match is not None
    want_matches = sorted(tuple(r.values()) for r in match(want).to_pylist())
    got_matches = sorted(tuple(r.values()) for r in pq.read_table(matches_path).to_pylist())
    assert got_matches == want_matches and len(got_matches) > 100

    # The insights read Spark's output through the lake views, topics included.
    (tmp_path / "resonanz.toml").write_text(
        '[topics.brand]\nkind = "brand"\nquery = "velora OR akku"\n'
        '[topics.rival]\nkind = "competitor"\nquery = "rival"\n',
        encoding="utf-8",
    )
    args = ["scale", "insights", "share-of-voice", "--input", str(tmp_path / "enriched")]
    args += ["--matches", str(matches_path), "-w", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "rival" in result.output and "brand" in result.output


def test_lake_views_run_insight_sql_on_parquet(tmp_path: Path) -> None:
    posts = _posts(50)
    path = tmp_path / "enriched.parquet"
    pq.write_table(posts, path)
    con = open_lake(path)
    try:
        count, platforms = con.execute(
            "SELECT count(*), count(DISTINCT platform) FROM posts WHERE aspects IS NULL"
        ).fetchone() or (0, 0)
        assert (count, platforms) == (50, 2)
        assert con.execute("SELECT count(*) FROM edges").fetchone() == (0,)
    finally:
        con.close()
