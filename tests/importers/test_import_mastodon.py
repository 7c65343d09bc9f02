"""Mastodon account archives: .zip, .tar.gz, extracted folder or bare outbox.json."""

from __future__ import annotations

import json
import shutil
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.importers import detect_format
from resonanz.workspace import Workspace

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "mastodon_archive"


def make_archive(kind: str, tmp_path: Path) -> Path:
    """Pack the fixture the way Mastodon ships it (plus a media file that is ignored)."""
    members = {name: (FIXTURE / name).read_bytes() for name in ("outbox.json", "actor.json")}
    members["media_attachments/files/111/222/333/original/phone.jpg"] = b"\xff\xd8\xff fake"
    if kind == "zip":
        path = tmp_path / "archive-20260310-abc.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    elif kind == "tar.gz":
        path = tmp_path / "archive-20260310-abc.tar.gz"
        with tarfile.open(path, "w:gz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                source = tmp_path / "member"
                source.write_bytes(data)
                with source.open("rb") as fh:
                    archive.addfile(info, fh)
    elif kind == "folder":
        path = tmp_path / "extracted"
        shutil.copytree(FIXTURE, path)
    else:
        path = tmp_path / "outbox.json"
        shutil.copy(FIXTURE / "outbox.json", path)
    return path


@pytest.mark.parametrize("kind", ["zip", "tar.gz", "folder", "outbox"])
def test_archive_posts_are_imported(kind: str, workspace: Workspace, tmp_path: Path) -> None:
    path = make_archive(kind, tmp_path)
    assert detect_format(path) == "mastodon-archive"
    result = CliRunner().invoke(main, ["import", str(path), "-w", str(workspace.folder), "--json"])
    summary = json.loads(result.stdout)
    # 7 activities: 5 stored, 1 direct message skipped, 1 with a broken date quarantined.
    assert (summary["read"], summary["new"], summary["skipped"], summary["quarantined"]) == (
        7,
        5,
        1,
        1,
    )
    assert result.exit_code == 3
    with workspace.open() as store:
        first = store.con.execute(
            "SELECT author, text, lang, hashtags, mentions, links, has_media, url, raw "
            "FROM posts WHERE native_id = '111222333444555001'"
        ).fetchone()
        author, text, lang, hashtags, mentions, links, has_media, url, raw = first
        assert author == "lena@social.example"
        assert text.startswith("Mein neues #AcmePhone ist da!") and "<" not in text
        assert (lang, hashtags, mentions) == ("de", ["acmephone"], ["acme@acme.example"])
        assert links == ["https://acme.example/phone"] and has_media is True
        assert url == "https://social.example/@lena/111222333444555001"
        assert json.loads(raw)["type"] == "Create"
        reply = store.con.execute(
            "SELECT reply_to, text, likes, reposts FROM posts "
            "WHERE native_id = '111222333444555005'"
        ).fetchone()
        assert reply[0] == "111222333444555001"
        assert reply[1].startswith("Ärger mit dem Support\n\nUpdate:")
        assert reply[2:] == (12, 3)
        boost = store.con.execute(
            "SELECT repost_of, text FROM posts WHERE native_id = '111222333444555003'"
        ).fetchone()
        assert boost == ("555444333", "")
        assert store.con.execute(
            "SELECT count(*) FROM posts WHERE native_id = '111222333444555004'"
        ).fetchone() == (0,)
        profile = store.con.execute(
            "SELECT display_name, bio, is_bot FROM authors WHERE handle = 'lena@social.example'"
        ).fetchone()
        if kind != "outbox":  # a bare outbox.json comes without actor.json
            assert profile[0] == "Lena Krüger" and profile[1].startswith("Radfahrerin")
            assert profile[2] is False
        reason = store.con.execute("SELECT reason FROM quarantine").fetchone()[0]
        assert "published" in reason


def test_damaged_archive_is_quarantined_not_fatal(workspace: Workspace, tmp_path: Path) -> None:
    broken = tmp_path / "archive.zip"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    good = tmp_path / "ok.jsonl"
    good.write_text('{"id": "1", "text": "hi", "created_at": "2026-01-01"}\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        main, ["import", str(broken), str(good), "-w", str(workspace.folder), "--json"]
    )
    summary = json.loads(result.stdout)
    assert (result.exit_code, summary["new"], summary["quarantined"]) == (3, 1, 1)
