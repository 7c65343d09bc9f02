"""Workspace settings: one typed, documented table read from ``resonanz.toml``.

Unknown keys are an error naming the key. Secrets are never written inline: they are
``{env = "NAME"}``, ``{file = "path"}`` or ``{stored = "name"}`` (see ``resonanz.secrets``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from resonanz.alerts.settings import AlertSettings
from resonanz.engage.settings import InboxSettings
from resonanz.errors import ConfigError
from resonanz.publish.settings import PublishSettings
from resonanz.sources.settings import AccountSettings, SourceSettings
from resonanz.web.settings import WebSettings

CONFIG_NAME = "resonanz.toml"
TopicKind = Literal["brand", "competitor", "product", "campaign", "keyword"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkspaceSettings(_Section):
    """General facts about the workspace."""

    name: str = Field("Resonanz workspace", description="Shown in the dashboard and reports.")
    timezone: str = Field(
        "Europe/Berlin", description="IANA time zone for reports, business hours and timing."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["de", "en"],
        description="Languages the team works in (ISO 639-1), first is the default.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Europe/Berlin)"
            ) from None
        return value


class TopicSettings(_Section):
    """A named boolean listening query."""

    kind: TopicKind = Field(
        "keyword", description="brand, competitor, product, campaign or keyword."
    )
    query: str = Field(description="Boolean listening query, e.g. '\"Acme\" OR #acme'.")
    aspects: list[str] | None = Field(
        None, description="Aspect categories to track for this topic (default: all)."
    )
    description: str = Field("", description="Free text for the team.")


class EnrichSettings(_Section):
    """How posts are enriched."""

    model_dir: str | None = Field(
        None, description="Folder of models trained with `resonanz train` (overrides defaults)."
    )
    on_import: bool = Field(True, description="Enrich posts as they are imported or collected.")


class RetentionSettings(_Section):
    """How long data is kept (0 = forever)."""

    raw_days: int = Field(0, ge=0, description="Delete raw platform payloads after N days.")
    posts_days: int = Field(0, ge=0, description="Delete posts (and their edges) after N days.")


class PrivacySettings(_Section):
    """GDPR-related behaviour."""

    pseudonymise_exports: bool = Field(
        False, description="Replace author handles by stable pseudonyms in exports."
    )


class Settings(_Section):
    """Everything in ``resonanz.toml``."""

    workspace: WorkspaceSettings = Field(default_factory=lambda: WorkspaceSettings())
    topics: dict[str, TopicSettings] = Field(
        default_factory=dict, description="Listening topics by name."
    )
    aspects: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Own aspect taxonomy: category -> cue words (adds to or replaces defaults).",
    )
    enrich: EnrichSettings = Field(default_factory=lambda: EnrichSettings())
    retention: RetentionSettings = Field(default_factory=lambda: RetentionSettings())
    privacy: PrivacySettings = Field(default_factory=lambda: PrivacySettings())
    sources: list[SourceSettings] = Field(
        default_factory=list, description="Sources `resonanz listen` collects from."
    )
    accounts: list[AccountSettings] = Field(
        default_factory=list, description="Our own accounts (channels) per network."
    )
    alerts: AlertSettings = Field(default_factory=lambda: AlertSettings())
    inbox: InboxSettings = Field(default_factory=lambda: InboxSettings())
    publish: PublishSettings = Field(default_factory=lambda: PublishSettings())
    web: WebSettings = Field(default_factory=lambda: WebSettings())


def _describe(error: ValidationError, origin: str) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            lines.append(f"{origin}: unknown setting '{where}'")
        elif item["type"] == "missing":
            lines.append(f"{origin}: missing setting '{where}'")
        else:
            lines.append(f"{origin}: setting '{where}': {item['msg']}")
    return "\n".join(lines)


def parse_settings(text: str, origin: str = CONFIG_NAME) -> Settings:
    """Parse TOML text into :class:`Settings`; raise :class:`ConfigError` naming the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origin)) from None


def load_settings(folder: Path) -> Settings:
    """Read ``resonanz.toml`` of a workspace folder (defaults when the file is absent)."""
    path = folder / CONFIG_NAME
    if not path.exists():
        return Settings()
    return parse_settings(path.read_text(encoding="utf-8"), str(path))
