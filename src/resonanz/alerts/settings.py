"""Settings of alert rules and their delivery channels (the ``[alerts]`` table).

Example::

    [alerts.smtp]
    host = "mail.example.com"
    port = 587
    user = "alerts@example.com"
    password = {env = "SMTP_PASSWORD"}
    sender = "alerts@example.com"
    starttls = true

    [[alerts.rules]]
    name = "acme-negative"
    detector = "negative_volume"
    topics = ["acme"]
    window_hours = 1
    threshold = 4.0
    cooldown_hours = 6
    webhooks = [{env = "SLACK_WEBHOOK_URL"}]
    emails = ["social-team@example.com"]
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from resonanz.mail import SmtpSettings
from resonanz.secrets import Secret

DetectorKind = Literal["volume", "negative_share", "negative_volume"]


class AlertRule(BaseModel):
    """One ``[[alerts.rules]]`` entry: what to watch, when to fire, whom to tell."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="A unique name; alerts and their cool-down are per rule.")
    detector: DetectorKind = Field(
        "negative_volume", description="volume, negative_share or negative_volume."
    )
    topics: list[str] = Field(
        default_factory=list, description="Topics watched together (empty: all posts)."
    )
    window_hours: float = Field(1.0, gt=0, le=168, description="Width of one observed window.")
    baseline_weeks: int = Field(
        4, ge=2, le=12, description="Weeks of same-hour-of-week history forming the baseline."
    )
    threshold: float = Field(
        4.0, gt=0, description="Robust z-score above the seasonal baseline that fires."
    )
    min_count: int = Field(
        10, ge=0, description="Posts a window needs before it may fire (ignores tiny spikes)."
    )
    cooldown_hours: float = Field(
        6.0, ge=0, description="After firing, stay quiet this long for the same rule."
    )
    webhooks: list[str | Secret] = Field(
        default_factory=list, description="Webhook URLs (Slack-compatible JSON is posted)."
    )
    emails: list[str] = Field(default_factory=list, description="E-mail recipients.")

    @field_validator("name")
    @classmethod
    def _simple_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a rule needs a name")
        return value.strip()


class AlertSettings(BaseModel):
    """The ``[alerts]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[AlertRule] = Field(default_factory=list, description="Alert rules.")
    smtp: SmtpSettings = Field(
        default_factory=lambda: SmtpSettings(), description="Mail server for e-mail alerts."
    )

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, value: list[AlertRule]) -> list[AlertRule]:
        names = [r.name for r in value]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"rule names must be unique; repeated: {', '.join(doubled)}")
        return value
