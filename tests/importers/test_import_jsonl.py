"""JSON Lines import: good records stored, every bad one quarantined with its reason."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.workspace import Workspace

GOOD = [
    {
        "id": "1",
        "text": "Der #Akku vom @acme Phone hält ewig https://acme.example/p",
        "created_at": "2026-03-01T10:00:00+01:00",
        "author": "@anna",
        "author_name": "Anna",
        "author_bio": "Bahnfahrerin",
        "author_followers": 120,
        "likes": 4,
        "campaign": "spring",
    },
    {
        "id": 2,
        "text": "reply",
        "created_at": "2026-03-01T10:05:00Z",
        "author": "bob",
        "reply_to": "1",
    },
    {
        "id": "3",
        "text": "explicit lists",
        "created_at": 1772359200,
        "author": "carl",
        "platform": "forum",
        "hashtags": ["#One", "two"],
        "mentions": ["@dora"],
        "links": [],
    },
]
BAD = [
    (b'{"id": "4", "text": broken', "invalid JSON"),
    (b'{"id": "5", "text": "caf\xe9", "created_at": "2026-03-01"}', "invalid UTF-8"),
    (b'{"text": "no id", "created_at": "2026-03-01"}', "missing id"),
    (b'{"id": "7", "created_at": "2026-03-01"}', "missing text"),
    (b'{"id": "8", "text": "when?", "created_at": "next tuesday"}', "unparsable created_at"),
    (b'{"id": "9", "text": "x", "created_at": "2026-03-01", "likes": "many"}', "likes"),
    (b"[1, 2, 3]", "not a JSON object"),
    (
        b'{"id": "10", "text": "' + b"a" * 100_001 + b'", "created_at": "2026-03-01"}',
        "text too long",
    ),
    (b'{"id": "11", "text": "' + b"b" * 1_100_000 + b'"}', "line too long"),
]


def write_file(path: Path) -> Path:
    """Write the good and bad lines, with a blank line and a BOM to be tolerated."""
    lines = [b"\xef\xbb\xbf" + json.dumps(GOOD[0]).encode()]
    lines += [json.dumps(r).encode() for r in GOOD[1:]]
    lines += [b"   "] + [raw for raw, _ in BAD]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def run(workspace: Workspace, *args: str) -> tuple[int, dict[str, object]]:
    result = CliRunner().invoke(main, ["import", *args, "-w", str(workspace.folder), "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_good_records_are_stored_and_bad_ones_quarantined(
    workspace: Workspace, tmp_path: Path
) -> None:
    code, summary = run(workspace, str(write_file(tmp_path / "posts.jsonl")))
    assert code == 3
    assert (summary["read"], summary["new"], summary["quarantined"]) == (12, 3, 9)
    with workspace.open() as store:
        reasons = store.con.execute(
            "SELECT location, reason FROM quarantine ORDER BY id"
        ).fetchall()
        assert [loc for loc, _ in reasons] == [f"posts.jsonl:{n}" for n in range(5, 14)]
        for (_, reason), (_, expected) in zip(reasons, BAD, strict=True):
            assert expected in reason
        raw = store.con.execute("SELECT raw FROM quarantine WHERE location = 'posts.jsonl:9'")
        assert bytes(raw.fetchone()[0]).startswith(b'{"id": "8"')
        row = store.con.execute(
            "SELECT platform, author, created_at, hashtags, mentions, links, likes, raw "
            "FROM posts WHERE native_id = '1'"
        ).fetchone()
        assert row[:2] == ("import", "anna")
        assert row[2].isoformat().startswith("2026-03-01T09:00:00")
        assert row[3:7] == (["akku"], ["acme"], ["https://acme.example/p"], 4)
        assert json.loads(row[7]) == {"campaign": "spring"}
        listed = store.con.execute(
            "SELECT platform, hashtags, mentions, links FROM posts WHERE native_id = '3'"
        ).fetchone()
        assert listed == ("forum", ["one", "two"], ["dora"], [])
        author = store.con.execute(
            "SELECT display_name, bio, followers FROM authors WHERE handle = 'anna'"
        ).fetchone()
        assert author == ("Anna", "Bahnfahrerin", 120)
        edge = store.con.execute(
            "SELECT src_author, dst_author FROM edges WHERE kind = 'reply'"
        ).fetchone()
        assert edge == ("bob", "anna")


def test_reimport_of_a_finished_file_is_a_no_op(workspace: Workspace, tmp_path: Path) -> None:
    path = write_file(tmp_path / "posts.jsonl")
    run(workspace, str(path))
    code, summary = run(workspace, str(path))
    assert (code, summary["read"], summary["quarantined"]) == (0, 0, 0)
    code, summary = run(workspace, str(path), "--from-start")
    assert (summary["new"], summary["updated"]) == (0, 3)
    with workspace.open() as store:
        assert store.count("posts") == 3
        assert store.count("quarantine") == 9


def test_appended_lines_are_imported_on_the_next_run(workspace: Workspace, tmp_path: Path) -> None:
    # Files are recognised by their first 64 KiB, so this one must be longer than that.
    path = tmp_path / "stream.jsonl"
    first = [{**GOOD[1], "id": f"a{i}", "text": "x" * 200} for i in range(400)]
    path.write_text("".join(json.dumps(r) + "\n" for r in first), encoding="utf-8")
    run(workspace, str(path))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(GOOD[2]) + "\n")
    code, summary = run(workspace, str(path))
    assert (code, summary["read"], summary["new"]) == (0, 1, 1)


def test_human_summary_names_the_counts(workspace: Workspace, tmp_path: Path) -> None:
    path = write_file(tmp_path / "posts.jsonl")
    result = CliRunner().invoke(main, ["import", str(path), "-w", str(workspace.folder)])
    assert result.exit_code == 3
    assert "files 1, read 12, new 3, updated 0, quarantined 9" in result.stdout
    assert "resonanz quarantine" in result.stdout
    listing = CliRunner().invoke(main, ["quarantine", "-w", str(workspace.folder), "--json"])
    assert len(json.loads(listing.stdout)) == 9
