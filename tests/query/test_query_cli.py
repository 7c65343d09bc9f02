"""``resonanz search`` and ``resonanz topics``."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from helpers_query import posts

from resonanz.cli import main
from resonanz.workspace import Workspace


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    with workspace.open(write=True) as store:
        store.upsert_posts(
            posts(
                {
                    "text": "Acme Phone: Akku kaputt",
                    "lang": "de",
                    "author": "anna",
                    "url": "https://m.example/1",
                },
                {"text": "acme phone battery is great", "lang": "en", "platform": "bluesky"},
                {"text": "Die Straße zum Bahnhof", "lang": "de"},
            )
        )
    return workspace


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_search_json_lines(ws: Workspace) -> None:
    code, out, _ = run("search", "acme phone", "--json", "-w", str(ws.folder))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ["1", "0"]
    first = lines[1]
    assert first["platform"] == "mastodon"
    assert first["text"] == "Acme Phone: Akku kaputt"
    assert first["author"] == "anna"
    assert first["url"] == "https://m.example/1"
    assert first["lang"] == "de"
    assert first["created_at"].startswith("2024-05-01T12:00:00")
    assert "sentiment" in first


def test_search_filters_and_formats(ws: Workspace) -> None:
    folder = str(ws.folder)
    code, out, _ = run("search", "Strasse", "--csv", "-w", folder)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["id"] for row in rows] == ["2"]
    code, out, _ = run(
        "search", "acme", "--json", "--lang", "en", "--until", "2024-05-01", "-w", folder
    )
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["1"]
    code, out, _ = run(
        "search",
        "acme",
        "--json",
        "--since",
        "2024-05-01T13:00:00+00:00",
        "--platform",
        "mastodon",
        "-w",
        folder,
    )
    assert out == ""
    code, out, _ = run("search", "acme", "--table", "--limit", "1", "-w", folder)
    assert code == 0 and "bluesky" in out and "anna" not in out


def test_search_reports_bad_queries_and_dates(ws: Workspace) -> None:
    code, _, err = run("search", "acme AND", "-w", str(ws.folder))
    assert code == 1
    assert "expected a term or '(' at position 8" in err
    code, _, err = run("search", "acme", "--since", "yesterday", "-w", str(ws.folder))
    assert code == 2
    assert "not an ISO date" in err


def test_topics_add_list_remove(ws: Workspace) -> None:
    folder = str(ws.folder)
    code, out, _ = run(
        "topics", "add", "akku", "--kind", "keyword", "--query", "akku OR battery", "-w", folder
    )
    assert code == 0
    assert "2 stored posts match" in out
    code, out, _ = run("topics", "list", "--json", "-w", folder)
    topics = {t["name"]: t for t in json.loads(out)}
    assert topics["akku"]["origin"] == "cli" and topics["akku"]["matches"] == 2
    assert topics["acme"]["origin"] == "config"
    code, out, _ = run("topics", "remove", "akku", "-w", folder)
    assert code == 0
    code, _, err = run("topics", "remove", "acme", "-w", folder)
    assert code == 1
    assert "defined in resonanz.toml and cannot be removed" in err


def test_topics_add_rejects_bad_input(ws: Workspace) -> None:
    folder = str(ws.folder)
    code, _, err = run("topics", "add", "x", "--kind", "keyword", "--query", "(akku", "-w", folder)
    assert code == 1
    assert "(akku\n     ^" in err
    code, _, err = run("topics", "add", "x", "--kind", "planet", "--query", "akku", "-w", folder)
    assert code == 2


def test_topics_test(ws: Workspace) -> None:
    code, out, _ = run("topics", "test", "acme -battery", "-w", str(ws.folder))
    assert code == 0
    assert "The query is valid; 1 stored posts match." in out
    assert "Akku kaputt" in out
    code, _, err = run("topics", "test", "acme AND OR x", "-w", str(ws.folder))
    assert code == 1
    assert err.startswith("acme AND OR x\n         ^\nError: expected a term or '(' at position 9")


def test_topics_test_without_workspace(tmp_path: object) -> None:
    code, out, _ = run("topics", "test", "acme", "-w", str(tmp_path) + "/missing")
    assert code == 0
    assert out.startswith("The query is valid (no stored posts")


def test_topics_rematch(ws: Workspace) -> None:
    code, out, _ = run("topics", "rematch", "acme", "-w", str(ws.folder))
    assert code == 0
    assert out == "acme: 2 stored posts match\n"
    code, out, _ = run("topics", "rematch", "-w", str(ws.folder))
    assert code == 0
    assert "acme-phone: 2 stored posts match" in out and "rival: 0 stored posts match" in out
