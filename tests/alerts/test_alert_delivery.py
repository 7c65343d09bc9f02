"""Delivery to a real local SMTP server and a real local webhook; de-duplication of runs."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
import synthetic_world as WORLD
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from resonanz.alerts.service import list_alerts, run_alerts
from resonanz.alerts.settings import AlertRule, AlertSettings
from resonanz.cli import main
from resonanz.localnet.server import run_in_thread
from resonanz.mail import SmtpSettings
from resonanz.workspace import Workspace


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    async def hook(request: Request) -> JSONResponse:
        received.append(await request.json())
        return JSONResponse({"ok": True})

    base, stop = run_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])]))
    try:
        yield f"{base}/hook", received
    finally:
        stop()


def _settings(port: int, url: str) -> AlertSettings:
    rule = AlertRule(name="crisis", detector="negative_volume", topics=["acme"], window_hours=2,
                     min_count=5, cooldown_hours=48, webhooks=[url],
                     emails=["team@acme.example"])  # fmt: skip
    return AlertSettings(rules=[rule], smtp=SmtpSettings(host="127.0.0.1", port=port))


def test_run_delivers_once_and_dedupes(
    alert_world: Workspace,
    smtp_server: tuple[int, Inbox],
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    port, inbox = smtp_server
    url, received = webhook
    settings = _settings(port, url)
    with alert_world.open(write=True) as store:
        first = run_alerts(store.con, settings, now=WORLD.END, workspace=alert_world.folder)
        again = run_alerts(store.con, settings, now=WORLD.END, workspace=alert_world.folder)
        stored = list_alerts(store.con)
    assert len(first) == 1 and again == []
    assert first[0].delivery == {"webhook1": "ok", "email": "ok"}
    assert len(stored) == 1 and stored[0]["delivery"]["email"] == "ok"
    assert len(received) == 1 and "spiked" in received[0]["text"]
    assert received[0]["blocks"][1]["type"] == "section"
    assert len(inbox.messages) == 1
    recipients, raw = inbox.messages[0]
    assert recipients == ["team@acme.example"]
    mail = message_from_bytes(raw)
    assert "spiked" in str(mail["Subject"])
    assert "battery" in mail.get_payload(decode=True).decode()


def test_failing_channel_is_recorded_not_raised(alert_world: Workspace) -> None:
    settings = _settings(_free_port(), "http://127.0.0.1:9/nowhere")
    with alert_world.open(write=True) as store:
        alerts = run_alerts(store.con, settings, now=WORLD.END, workspace=alert_world.folder)
    assert alerts and alerts[0].delivery["email"].startswith("e-mail via")
    assert "webhook not reachable" in alerts[0].delivery["webhook1"]


def test_cli_run_list_and_test(
    alert_world: Workspace,
    smtp_server: tuple[int, Inbox],
    webhook: tuple[str, list[dict[str, Any]]],
) -> None:
    port, inbox = smtp_server
    url, received = webhook
    config = alert_world.folder / "resonanz.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + f"""
[alerts.smtp]
host = "127.0.0.1"
port = {port}

[[alerts.rules]]
name = "crisis"
detector = "negative_volume"
topics = ["acme"]
window_hours = 2
min_count = 5
webhooks = ["{url}"]
emails = ["team@acme.example"]
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    ws = ["-w", str(alert_world.folder)]
    ran = runner.invoke(main, ["alerts", "run", *ws, "--at", WORLD.END.isoformat(), "--json"])
    assert ran.exit_code == 0, ran.output
    assert len(json.loads(ran.output)) >= 1
    listed = runner.invoke(main, ["alerts", "list", *ws, "--json"])
    assert listed.exit_code == 0 and json.loads(listed.output)[0]["rule"] == "crisis"
    tested = runner.invoke(main, ["alerts", "test", *ws, "crisis"])
    assert tested.exit_code == 0 and "email: ok" in tested.output
    assert runner.invoke(main, ["alerts", "test", *ws, "nope"]).exit_code == 1
    assert inbox.messages and received
