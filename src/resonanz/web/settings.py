"""Settings of the `[web]` table: the dashboard, its sessions and scheduled reports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from resonanz.mail import SmtpSettings
from resonanz.secrets import Secret


class ReportSchedule(BaseModel):
    """One ``[[web.reports]]`` entry: a report e-mailed on a schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: Literal["day", "week", "month"] = Field(
        "week", description="Send a report covering the last day, week or month."
    )
    to: list[str] = Field(description="E-mail addresses that receive the report.")
    format: Literal["pdf", "html"] = Field("pdf", description="Attach the report as PDF or HTML.")
    language: Literal["de", "en"] = Field("en", description="Language of the report.")


class WebSettings(BaseModel):
    """The `[web]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("127.0.0.1", description="Address `resonanz serve` listens on.")
    port: int = Field(8765, ge=1, le=65535, description="Port `resonanz serve` listens on.")
    secret_key: Secret | None = Field(
        None,
        description="Key that signs session cookies; default: a random key kept in "
        "the workspace file .web-secret-key.",
    )
    session_hours: int = Field(12, ge=1, le=24 * 30, description="Lifetime of a login session.")
    secure_cookies: bool = Field(
        False, description="Send cookies only over HTTPS (turn on behind a TLS proxy)."
    )
    default_language: Literal["de", "en"] = Field(
        "en", description="UI language when the browser asks for neither German nor English."
    )
    public_url: str | None = Field(
        None, description="Address of the dashboard as users reach it (used in report e-mails)."
    )
    smtp: SmtpSettings = Field(default_factory=lambda: SmtpSettings())
    reports: list[ReportSchedule] = Field(
        default_factory=list, description="Reports sent by e-mail on a schedule."
    )
