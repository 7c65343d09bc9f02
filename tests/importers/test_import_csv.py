"""CSV import: header aliases, explicit column mappings, bad rows quarantined."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.workspace import Workspace

CSV = (
    "tweet_id;body;date;screen_name;retweet_count;lang;topic\n"
    "10;Zug wieder zu spät #bahn;Wed Oct 10 20:19:24 +0000 2018;pendler;3;de;travel\n"
    '11;"Zwei Zeilen,\nmit Komma";2026-01-02 08:00:00;pendler;;de;\n'
    "12;no date here;;pendler;1;en;\n"
    "13;zu viele;2026-01-02;x;1;de;a;b\n"
)


def invoke(workspace: Workspace, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["import", *args, "-w", str(workspace.folder), "--json"])
    assert result.stdout, result.output
    return result.exit_code, json.loads(result.stdout)


def test_aliases_understand_a_twitter_style_export(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text(CSV, encoding="utf-8")
    code, summary = invoke(workspace, str(path), "--platform", "twitter")
    assert (code, summary["new"], summary["quarantined"]) == (3, 2, 2)
    with workspace.open() as store:
        rows = store.con.execute(
            "SELECT native_id, platform, author, text, reposts, hashtags, raw, created_at "
            "FROM posts ORDER BY native_id"
        ).fetchall()
        assert [r[:6] for r in rows] == [
            ("10", "twitter", "pendler", "Zug wieder zu spät #bahn", 3, ["bahn"]),
            ("11", "twitter", "pendler", "Zwei Zeilen,\nmit Komma", None, []),
        ]
        assert json.loads(rows[0][6]) == {"topic": "travel"}
        assert rows[0][7].isoformat().startswith("2018-10-10T20:19:24")
        reasons = dict(store.con.execute("SELECT location, reason FROM quarantine").fetchall())
        assert reasons == {
            "tweets.csv:5": "missing created_at",
            "tweets.csv:6": "8 cells but the header has 7",
        }


def test_explicit_mapping_wins(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text(
        "key,message,when,user,text\na1,the real text,2026-02-01T10:00:00Z,zoe,ignored column\n",
        encoding="utf-8",
    )
    code, summary = invoke(
        workspace, str(path), "--map", "id=key", "--map", "text=message", "--map", "when=created_at"
    )
    assert (code, summary["new"]) == (0, 1)
    with workspace.open() as store:
        row = store.con.execute("SELECT native_id, text, author, raw FROM posts").fetchone()
    assert row[:3] == ("a1", "the real text", "zoe")
    assert json.loads(row[3]) == {"csv:text": "ignored column"}


def test_unknown_mapping_column_is_a_clear_error(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,body,date\n1,hi,2026-01-01\n", encoding="utf-8")
    code, summary = invoke(workspace, str(path), "--map", "text=nope", "--format", "csv")
    assert (code, summary["quarantined"]) == (3, 1)
    with workspace.open() as store:
        reason = store.con.execute("SELECT reason FROM quarantine").fetchone()[0]
    assert "nope" in reason and "id, body, date" in reason


def test_invalid_utf8_row_is_quarantined(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"id,text,created_at\n1,ok,2026-01-01\n2,M\xfcnchen,2026-01-01\n")
    code, summary = invoke(workspace, str(path))
    assert (code, summary["new"], summary["quarantined"]) == (3, 1, 1)
    with workspace.open() as store:
        reason, raw = store.con.execute("SELECT reason, raw FROM quarantine").fetchone()
    assert reason.startswith("invalid UTF-8") and bytes(raw) == b"2,M\xfcnchen,2026-01-01"
