"""Build and send e-mail through an SMTP server: plain, STARTTLS or implicit TLS."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Final

from resonanz.secrets import Secret

#: What a failed send raises; callers turn it into their own error naming their settings table.
SEND_ERRORS: Final = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to send: the fields the ``[alerts.smtp]`` and ``[web.smtp]`` tables share.

    Encrypted connections (``ssl`` or ``starttls``) always check the server's certificate
    against the system's trust store.
    """

    host: str
    port: int
    sender: str
    user: str | None = None
    password: Secret | None = None
    starttls: bool = False
    ssl: bool = False
    timeout_s: float = 30.0


def build_message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    """Return a plain-text message from ``sender`` to every address in ``recipients``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_message(server: SmtpServer, message: EmailMessage, workspace: Path | None) -> None:
    """Send ``message``, logging in when a user and password are set.

    Raises one of :data:`SEND_ERRORS` when the server cannot be reached or refuses the
    message, and :class:`~resonanz.errors.SecretError` when the password cannot be read.
    """
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout_s, context=ssl.create_default_context()
        )
        if server.ssl
        else smtplib.SMTP(server.host, server.port, timeout=server.timeout_s)
    )
    with client:
        if server.starttls:
            client.starttls(context=ssl.create_default_context())
        if server.user and server.password is not None:
            client.login(server.user, server.password.reveal(workspace))
        client.send_message(message)
