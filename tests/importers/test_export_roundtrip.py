"""Export to Parquet/JSON Lines/CSV and import back; pseudonymised exports; date filters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.workspace import Workspace

POSTS = [
    {
        "id": str(i),
        "text": f"Post {i} an @bea über #akku",
        "created_at": f"2026-01-{i + 1:02d}T12:00:00Z",
        "author": "anna" if i % 2 else "bea",
        "author_name": "Anna A." if i % 2 else "Bea B.",
        "likes": i,
        "reply_to": str(i - 1) if i else None,
        "url": f"https://social.example/@x/{i}",
    }
    for i in range(6)
]


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def filled(workspace: Workspace, tmp_path: Path) -> Workspace:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in POSTS), encoding="utf-8")
    cli("import", str(source), "-w", str(workspace.folder))
    return workspace


def rows(workspace: Workspace) -> list[tuple[object, ...]]:
    with workspace.open() as store:
        return store.con.execute(
            "SELECT platform, native_id, author, text, created_at, reply_to, likes, hashtags "
            "FROM posts ORDER BY native_id"
        ).fetchall()


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_export_reads_back_the_same_posts(fmt: str, workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    out = tmp_path / f"posts.{fmt}"
    assert "Exported 6 posts" in cli("export", f"--{fmt}", str(out), "-w", str(workspace.folder))
    other = Workspace.init(tmp_path / "other")
    cli("import", str(out), "-w", str(other.folder))
    assert rows(other) == rows(workspace)
    with other.open() as store:
        name = store.con.execute("SELECT display_name FROM authors WHERE handle = 'bea'")
        assert name.fetchone() == (None if fmt == "parquet" else "Bea B.",)


def test_parquet_keeps_enrichment_with_no_enrich(workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    out = tmp_path / "posts.parquet"
    cli("export", "--parquet", str(out), "-w", str(workspace.folder))
    table = pq.read_table(out)
    table = table.set_column(
        table.schema.get_field_index("sentiment"),
        "sentiment",
        pa.array(["positive"] * table.num_rows, pa.string()),
    )
    pq.write_table(table, out)
    other = Workspace.init(tmp_path / "other")
    cli("import", str(out), "--no-enrich", "-w", str(other.folder))
    with other.open() as store:
        assert store.con.execute("SELECT DISTINCT sentiment FROM posts").fetchall() == [
            ("positive",)
        ]


def test_pseudonymised_export_hides_handles(workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    out = tmp_path / "anon.jsonl"
    cli("export", "--jsonl", str(out), "--pseudonymise", "-w", str(workspace.folder))
    text = out.read_text(encoding="utf-8")
    # pseudonyms are hex digests, which may spell "bea" by chance: look past them
    plain = re.sub(r"anon-[0-9a-z]+", "", text.lower())
    assert "bea" not in plain and "anna" not in plain
    lines = [json.loads(line) for line in text.splitlines()]
    authors = {line["author"] for line in lines}
    assert len(authors) == 2 and all(a.startswith("anon-") for a in authors)
    bea = next(line["author"] for line in lines if line["id"] == "0")
    assert lines[1]["mentions"] == [bea] and f"@{bea}" in lines[1]["text"]
    assert not any("url" in line or "raw" in line or "author_name" in line for line in lines)
    again = tmp_path / "again.jsonl"
    cli("export", "--jsonl", str(again), "--pseudonymise", "-w", str(workspace.folder))
    assert again.read_text(encoding="utf-8") == text  # stable pseudonyms


def test_privacy_setting_forces_pseudonyms(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws", config_text="[privacy]\npseudonymise_exports = true\n")
    filled(ws, tmp_path)
    out = tmp_path / "p.csv"
    assert "pseudonymised" in cli("export", "--csv", str(out), "-w", str(ws.folder))
    assert "anna" not in out.read_text(encoding="utf-8")


def test_since_until_select_a_window(workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    out = tmp_path / "window.jsonl"
    cli(
        "export",
        "--jsonl",
        str(out),
        "--since",
        "2026-01-02",
        "--until",
        "2026-01-04",
        "-w",
        str(workspace.folder),
    )
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["1", "2"]


def test_parquet_with_import_field_names(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "lake.parquet"
    pq.write_table(
        pa.table(
            {
                "id": ["a", "b", "c"],
                "text": ["hallo #welt", None, "drei"],
                "created_at": ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "bad"],
                "author": ["x", "y", "z"],
            }
        ),
        path,
    )
    result = CliRunner().invoke(main, ["import", str(path), "-w", str(workspace.folder), "--json"])
    summary = json.loads(result.stdout)
    assert (result.exit_code, summary["new"], summary["quarantined"]) == (3, 1, 2)
    with workspace.open() as store:
        assert store.con.execute("SELECT native_id, hashtags FROM posts").fetchall() == [
            ("a", ["welt"])
        ]
        found = store.con.execute("SELECT location, reason FROM quarantine ORDER BY 1").fetchall()
    assert found == [
        ("lake.parquet:2", "missing text"),
        ("lake.parquet:3", "unparsable created_at: 'bad'"),
    ]
