"""Deliver alerts: webhooks (Slack-compatible JSON) and e-mail (SMTP).

The in-app channel is the ``alerts`` table itself (see :mod:`resonanz.alerts.service`).
A failing channel never stops the others; its error is recorded with the alert.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from resonanz.alerts.settings import AlertRule
from resonanz.errors import ResonanzError
from resonanz.mail import SEND_ERRORS, SmtpSettings, build_message, send_message
from resonanz.secrets import Secret


class DeliveryError(ResonanzError):
    """An alert could not be delivered to a channel."""


def _slack_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_text(summary: dict[str, Any]) -> str:
    """Return the alert as plain text (the e-mail body and the webhook's fallback text)."""
    lines = [str(summary["headline"]), ""]
    if summary.get("top_terms"):
        lines.append("Top terms: " + ", ".join(summary["top_terms"]))
    if summary.get("top_aspects"):
        lines.append(
            "Top aspects: "
            + ", ".join(f"{a['aspect']} ({a['negative']} negative)" for a in summary["top_aspects"])
        )
    if summary.get("sentiment"):
        lines.append("Sentiment: " + ", ".join(f"{k} {v}" for k, v in summary["sentiment"].items()))
    if summary.get("top_authors"):
        lines.append("Authors: " + ", ".join(str(a["handle"]) for a in summary["top_authors"]))
    for post in summary.get("top_posts", []):
        lines.append(f"- @{post['author']}: {post['text']} {post.get('url') or ''}".rstrip())
    return "\n".join(lines)


def slack_payload(summary: dict[str, Any]) -> dict[str, Any]:
    """Return a Slack incoming-webhook message (``text`` plus ``blocks``)."""
    text = _slack_escape(render_text(summary))
    return {
        "text": _slack_escape(str(summary["headline"])),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Resonanz alert"}},
            {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
        ],
    }


def send_webhook(
    url: str, summary: dict[str, Any], transport: httpx.BaseTransport | None = None
) -> None:
    """POST the Slack-compatible message; raise :class:`DeliveryError` on failure."""
    try:
        with httpx.Client(timeout=10.0, transport=transport) as client:
            response = client.post(url, json=slack_payload(summary))
    except httpx.HTTPError as exc:
        raise DeliveryError(f"webhook not reachable: {type(exc).__name__}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered HTTP {response.status_code}")


def send_email(
    smtp: SmtpSettings, recipients: list[str], summary: dict[str, Any], workspace: Path | None
) -> None:
    """Send the alert by e-mail; raise :class:`DeliveryError` naming the setting to check."""
    subject = str(summary["headline"])[:200]
    message = build_message(smtp.sender, recipients, subject, render_text(summary))
    try:
        send_message(smtp, message, workspace)
    except SEND_ERRORS as exc:
        raise DeliveryError(
            f"e-mail via {smtp.host}:{smtp.port} failed ({type(exc).__name__}); check [alerts.smtp]"
        ) from None


def deliver(
    rule: AlertRule,
    smtp: SmtpSettings,
    summary: dict[str, Any],
    workspace: Path | None = None,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, str]:
    """Send one alert to every channel of ``rule``; return ``{channel: "ok" | error}``."""
    results: dict[str, str] = {}
    for number, hook in enumerate(rule.webhooks, start=1):
        name = f"webhook{number}"
        try:
            url = hook.reveal(workspace) if isinstance(hook, Secret) else hook
            send_webhook(url, summary, transport)
            results[name] = "ok"
        except ResonanzError as exc:  # a missing secret or a failed call: keep going
            results[name] = str(exc)
    if rule.emails:
        try:
            send_email(smtp, rule.emails, summary, workspace)
            results["email"] = "ok"
        except ResonanzError as exc:
            results["email"] = str(exc)
    return results
