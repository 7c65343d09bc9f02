"""``resonanz forget`` and ``resonanz export-author``: erase or hand over one author's data."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resonanz.cli import main
from resonanz.privacy import subject_hash, workspace_salt
from resonanz.records import utcnow
from resonanz.workspace import Workspace

POSTS = [
    {
        "id": "1",
        "text": "Mein Akku ist kaputt",
        "created_at": "2026-01-01T10:00:00Z",
        "author": "Erika",
        "author_name": "Erika Muster",
        "author_bio": "Köln",
        "likes": 3,
    },
    {
        "id": "2",
        "text": "@erika hast du den Support gefragt?",
        "created_at": "2026-01-01T11:00:00Z",
        "author": "max",
        "reply_to": "1",
    },
    {
        "id": "3",
        "text": "Nachtrag: jetzt geht es wieder",
        "created_at": "2026-01-02T09:00:00Z",
        "author": "erika",
        "reply_to": "2",
    },
    {
        "id": "4",
        "text": "Other platform, same name",
        "created_at": "2026-01-02T09:00:00Z",
        "author": "erika",
        "platform": "forum",
    },
]
BAD = [
    b'{"id": "5", "author": "erika", "text": "no date"}',
    b'{"id": "6", "author": "max", "text": "no date"}',
]


def filled(workspace: Workspace, tmp_path: Path) -> Workspace:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(p).encode() for p in POSTS] + BAD
    path.write_bytes(b"\n".join(lines) + b"\n")
    CliRunner().invoke(main, ["import", str(path), "-w", str(workspace.folder)])
    with workspace.open(write=True) as store:
        store.con.execute(
            "INSERT INTO notifications VALUES ('mastodon:us', 'import', 'n1', 'mention', '1', "
            "'erika', ?, '{}')",
            [utcnow()],
        )
        store.con.execute("INSERT INTO matches VALUES ('import', '1', 'acme')")
        store.con.execute("INSERT INTO matched_posts SELECT hash('import', '1')")
    return workspace


def test_export_author_gives_everything_about_them(workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    out = tmp_path / "erika.json"
    result = CliRunner().invoke(
        main,
        [
            "export-author",
            "--author",
            "@erika",
            "--platform",
            "import",
            "-o",
            str(out),
            "-w",
            str(workspace.folder),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [p["native_id"] for p in data["posts"]] == ["1", "3"]
    assert data["profile"][0]["display_name"] == "Erika Muster"
    assert [m["native_id"] for m in data["mentioned_in"]] == ["2"]
    assert len(data["quarantine"]) == 1 and '"5"' in data["quarantine"][0]["raw"]
    assert data["matches (native_id)"] == [
        {"platform": "import", "native_id": "1", "topic": "acme"}
    ]
    assert len(data["notifications (author)"]) == 1
    assert {e["kind"] for e in data["edges (src_author)"]} == {"reply"}


def test_forget_erases_the_author_and_logs_only_a_hash(
    workspace: Workspace, tmp_path: Path
) -> None:
    filled(workspace, tmp_path)
    orphaned = (
        "SELECT count(*) FROM matched_posts WHERE post_key NOT IN "
        "(SELECT hash(platform, native_id) FROM posts WHERE NOT (platform = 'import' "
        "AND lower(ltrim(author, '@')) = 'erika'))"
    )
    with workspace.open() as store:
        assert store.con.execute(orphaned).fetchone() != (0,)  # erika's posts were matched
    result = CliRunner().invoke(
        main,
        [
            "forget",
            "--author",
            "erika",
            "--platform",
            "import",
            "--yes",
            "-w",
            str(workspace.folder),
        ],
    )
    assert result.exit_code == 0, result.output
    with workspace.open() as store:
        con = store.con
        assert con.execute("SELECT native_id FROM posts ORDER BY 1").fetchall() == [("2",), ("4",)]
        assert con.execute(
            "SELECT count(*) FROM authors WHERE platform = 'import' AND lower(handle) = 'erika'"
        ).fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM edges").fetchone() == (0,)
        assert store.count("matches") == 0
        assert con.execute(orphaned).fetchone() == (0,)
        assert con.execute(
            "SELECT count(*) FROM post_metrics WHERE native_id = '1'"
        ).fetchone() == (0,)
        assert store.count("notifications") == 0
        assert con.execute("SELECT mentions FROM posts WHERE native_id = '2'").fetchone() == ([],)
        remaining = [bytes(r[0]) for r in con.execute("SELECT raw FROM quarantine").fetchall()]
        assert remaining == [BAD[1]]
        # The same handle on another platform is another person.
        assert con.execute("SELECT author FROM posts WHERE native_id = '4'").fetchone() == (
            "erika",
        )
        log = con.execute("SELECT action, platform, subject, detail FROM privacy_log").fetchall()
    assert len(log) == 1
    action, platform, subject, detail = log[0]
    assert (action, platform) == ("forget", "import")
    assert subject == subject_hash(workspace_salt(workspace.folder), "import", "erika")
    assert "erika" not in subject.lower() and "erika" not in detail.lower()
    assert json.loads(detail)["posts"] == 2


def test_forget_asks_before_erasing(workspace: Workspace, tmp_path: Path) -> None:
    filled(workspace, tmp_path)
    result = CliRunner().invoke(
        main,
        ["forget", "--author", "erika", "--platform", "import", "-w", str(workspace.folder)],
        input="n\n",
    )
    assert result.exit_code == 1
    with workspace.open() as store:
        assert store.count("posts") == 4
