"""Terminal tables: readable times, and no wrapping when the output goes to a pipe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from resonanz.cli.options import print_table


def test_piped_table_keeps_every_row_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    text = "Der Akku hält nach dem Update nur noch halb so lange, sehr ärgerlich " * 3
    rows = [{"created_at": datetime(2026, 11, 25, 20, 50, 25, 202548, tzinfo=UTC), "text": text}]
    print_table(rows, ["created_at", "text"])
    lines = capsys.readouterr().out.splitlines()
    body = [line for line in lines if "2026" in line]
    assert len(body) == 1
    assert "2026-11-25 20:50:25 " in body[0]
    assert text.strip() in body[0]
