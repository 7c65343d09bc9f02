"""Build and send e-mail through an SMTP server: plain, STARTTLS or implicit TLS."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Final

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from resonanz.secrets import Secret

#: What a failed send raises; callers turn it into their own error naming their settings table.
SEND_ERRORS: Final = (OSError, smtplib.SMTPException)


class SmtpSettings(BaseModel):
    """The mail server e-mails go through: the ``[alerts.smtp]`` and ``[web.smtp]`` tables.

    Encrypted connections (``ssl`` or ``starttls``) always check the server's certificate
    against the system's trust store.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    host: str = Field("localhost", description="SMTP server host.")
    port: int = Field(25, ge=1, le=65535, description="SMTP server port (587 for STARTTLS).")
    user: str | None = Field(
        None,
        validation_alias=AliasChoices("user", "username"),
        description="Login name, if the server needs one (``username`` is accepted too).",
    )
    password: Secret | None = Field(None, description="Login password, as a secret reference.")
    sender: str = Field("resonanz@localhost", description="The From address of the e-mails.")
    starttls: bool = Field(False, description="Upgrade the connection with STARTTLS.")
    ssl: bool = Field(False, description="Connect with implicit TLS (port 465).")
    timeout_s: float = Field(30.0, gt=0, description="Seconds to wait for the server.")


def build_message(sender: str, recipients: list[str], subject: str, body: str) -> EmailMessage:
    """Return a plain-text message from ``sender`` to every address in ``recipients``."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    return message


def send_message(server: SmtpSettings, message: EmailMessage, workspace: Path | None) -> None:
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
