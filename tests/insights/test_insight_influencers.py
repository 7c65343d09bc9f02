"""Opinion leaders split by stance per topic: a tiny hand-built world and the demo world."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from synthetic_world import CONFIG, END, World, write_world

from resonanz.cli import main
from resonanz.insights import INSIGHTS, InsightParams
from resonanz.insights.stance import stance_of
from resonanz.workspace import Workspace


def _small_world(folder: Path) -> Workspace:
    """Dora likes Acme and dislikes Rival, Erik the other way round, Finn is lukewarm."""
    world = World()
    t0 = END - timedelta(days=2)
    opinions = {
        "dora": ("positive", "negative"),
        "erik": ("negative", "positive"),
        "finn": ("neutral", "neutral"),
    }
    for n, (author, (on_acme, on_rival)) in enumerate(opinions.items()):
        for i in range(3):
            at = t0 + timedelta(hours=10 * n + i)
            world.add(author, at, "Acme phone", sentiment=on_acme)
            world.add(author, at, "Rival phone", topic="rival", sentiment=on_rival)
        for i in range(3 - n):  # dora is the most mentioned, then erik, then finn
            world.add(f"fan{n}{i}", t0, f"@{author} true", topic=None, mentions=[author])
    ws = Workspace.init(folder, config_text=CONFIG)
    with ws.open(write=True) as store:
        write_world(store, world)
    return ws


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return _small_world(tmp_path_factory.mktemp("stance") / "ws")


@pytest.fixture
def small_result(small: Workspace) -> Iterator[Any]:
    with small.open() as store:
        yield INSIGHTS["influencers"].compute(store.con, InsightParams(until=END))


def _handles(people: Any) -> list[str]:
    return [p["handle"] for p in people]


def test_stance_is_split_per_topic(small_result: Any) -> None:
    acme, rival = small_result.by_topic["acme"], small_result.by_topic["rival"]
    assert (acme["kind"], rival["kind"]) == ("brand", "competitor")
    assert _handles(acme["leaders"]) == ["dora", "erik", "finn"]
    assert _handles(acme["supporters"]) == ["dora"]
    assert _handles(acme["critics"]) == ["erik"]
    assert _handles(acme["neutral"]) == ["finn"]
    assert _handles(rival["supporters"]) == ["erik"]
    assert _handles(rival["critics"]) == ["dora"]
    assert _handles(rival["neutral"]) == ["finn"]
    dora = rival["critics"][0]
    assert dora["stance_score"] == -0.75 and dora["topic_posts"] == 3
    assert dora["overall_stance"] == "supporter"


def test_overall_split_is_the_stance_toward_us(small_result: Any) -> None:
    assert _handles(small_result.supporters) == ["dora"]
    assert _handles(small_result.critics) == ["erik"]
    assert "finn" in _handles(small_result.neutral)
    assert small_result.leaders[0]["topics"]["rival"]["stance"] == "critic"
    row = next(r for r in small_result.rows() if r["handle"] == "dora")
    assert row["topics"] == "acme:supporter rival:critic"


def test_cli_prints_the_split_per_topic(small: Workspace) -> None:
    runner = CliRunner(env={"COLUMNS": "250"})
    base = ["insights", "influencers", "-w", str(small.folder), "--until", END.date().isoformat()]
    out = runner.invoke(main, [*base, "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert _handles(data["by_topic"]["rival"]["critics"]) == ["dora"]
    table = runner.invoke(main, [*base, "--table"])
    assert table.exit_code == 0, table.output
    assert "acme:critic rival:supporter" in table.output  # erik's row


def test_demo_stances_per_topic_match_the_posts(demo_world: Path) -> None:
    ws = Workspace.load(demo_world)
    with ws.open() as store:
        con = store.con
        result = INSIGHTS["influencers"].compute(con, InsightParams(limit=10))
        kinds = dict(con.execute("SELECT name, kind FROM topics").fetchall())
        counts = {
            (p, a, t): (n, pos, neg)
            for p, a, t, n, pos, neg in con.execute(
                "SELECT p.platform, p.author, m.topic, count(*), "
                "count(*) FILTER (WHERE p.sentiment = 'positive'), "
                "count(*) FILTER (WHERE p.sentiment = 'negative') "
                "FROM posts p JOIN matches m USING (platform, native_id) GROUP BY ALL"
            ).fetchall()
        }
    assert {t for t, k in kinds.items() if k == "competitor"} <= set(result.by_topic)
    for topic, split in result.by_topic.items():
        assert split["kind"] == kinds[topic]
        for stance in ("supporters", "critics", "neutral"):
            for person in split[stance]:
                n, pos, neg = counts[(person["platform"], person["handle"], topic)]
                assert person["topic_posts"] == n
                assert person["stance"] == stance_of(pos, neg, n)[0] == stance.rstrip("s")
    # The product in crisis has critics among its leaders, and stances differ by topic.
    crisis = ws.folder / "demo-truth.json"
    assert result.by_topic[json.loads(crisis.read_text())["crisis"]["topic"]]["critics"]
    assert any(len({s["stance"] for s in p["topics"].values()}) > 1 for p in result.leaders)
