"""`resonanz report`: PDF and HTML files, and delivery to a real local SMTP server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from resonanz.cli import main
from resonanz.ingest import Batch
from resonanz.pipeline import open_ingestor
from resonanz.records import ENRICHED_POST_SCHEMA
from resonanz.report.delivery import due, send_due
from resonanz.web.settings import ReportSchedule
from resonanz.workspace import Workspace

CONFIG = """
[workspace]
name = "Acme <b>Report</b>"

[topics.acme]
kind = "brand"
query = "acme"

[topics.rival]
kind = "competitor"
query = "rival"
"""


def _posts() -> pa.Table:
    rows = [
        {
            "platform": "mastodon",
            "native_id": str(i),
            "author": f"a{i % 7}",
            "text": ("acme akku <script>x</script>" if i % 2 else "rival is fine"),
            "created_at": datetime(2026, 3, 1 + i % 6, 9 + i % 8, tzinfo=UTC),
            "collected_at": datetime(2026, 3, 8, tzinfo=UTC),
            "reply_to": str(i - 1) if i % 3 == 0 and i else None,
            "sentiment": ("negative", "neutral", "positive")[i % 3],
            "emotion": "none",
            "aspects": [{"category": "battery", "polarity": "negative"}],
            "intents": ["question"] if i % 5 == 0 else [],
            "likes": i,
        }
        for i in range(80)
    ]
    return pa.Table.from_pylist(rows, schema=ENRICHED_POST_SCHEMA)


@pytest.fixture
def report_ws(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws", config_text=CONFIG)
    with ws.open(write=True) as store:
        open_ingestor(ws, store, enrich=False).write(Batch(posts=_posts()))
    return ws


def test_pdf_and_html_report(report_ws: Workspace, tmp_path: Path) -> None:
    runner = CliRunner()
    for name in ("report.pdf", "report.html"):
        out = tmp_path / name
        result = runner.invoke(
            main,
            [
                "report",
                "-w",
                str(report_ws.folder),
                "--from",
                "2026-03-01",
                "--to",
                "2026-03-07",
                "-o",
                str(out),
                "--lang",
                "de",
            ],
        )
        assert result.exit_code == 0, result.output
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Social-Media-Bericht" in html and "Acme &lt;b&gt;Report&lt;/b&gt;" in html
    assert "<script>x" not in html
    assert html.count("data:image/svg+xml;base64,") >= 4


def test_report_needs_an_output(report_ws: Workspace) -> None:
    result = CliRunner().invoke(main, ["report", "-w", str(report_ws.folder)])
    assert result.exit_code != 0 and "-o FILE" in result.output


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_scheduled_report_is_mailed_once_per_period(
    report_ws: Workspace, smtp: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp
    config = report_ws.folder / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[web.smtp]\nhost = "127.0.0.1"\nport = {port}\n\n'
        '[[web.reports]]\nevery = "week"\nto = ["team@acme.example"]\nformat = "html"\n',
        encoding="utf-8",
    )
    ws = Workspace.load(report_ws.folder)
    now = datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert send_due(ws, now) == ["Sent the weekly report to team@acme.example"]
    assert send_due(ws, now) == []
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "team@acme.example"
    parts = [p.get_filename() for p in message.walk() if p.get_filename()]
    assert parts == ["report.html"]


def test_due() -> None:
    week = ReportSchedule(every="week", to=["x@y.z"])
    now = datetime(2026, 3, 8, tzinfo=UTC)
    assert due(week, None, now)
    assert not due(week, datetime(2026, 3, 5, tzinfo=UTC), now)
    assert due(week, datetime(2026, 3, 1, tzinfo=UTC), now)
