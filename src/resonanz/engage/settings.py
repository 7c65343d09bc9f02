"""Settings of the `[inbox]` table: response-time targets, business hours, priority weights."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


class BusinessHours(BaseModel):
    """When the team answers; the response-time clock only runs inside these hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = Field(time(9, 0), description="Start of the working day (local time).")
    end: time = Field(time(18, 0), description="End of the working day (local time).")
    days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5],
        description="Working days, ISO numbers (1 = Monday … 7 = Sunday).",
    )

    @field_validator("days")
    @classmethod
    def _iso_days(cls, value: list[int]) -> list[int]:
        if not value or any(d < 1 or d > 7 for d in value):
            raise ValueError("days are ISO weekday numbers 1 (Monday) to 7 (Sunday)")
        return sorted(set(value))


class PriorityWeights(BaseModel):
    """How much each signal adds to an inbox item's priority (each signal is 0..1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intent: float = Field(3.0, ge=0, description="Question, complaint, purchase or churn.")
    influence: float = Field(2.0, ge=0, description="The author's reach (followers).")
    stakeholder: float = Field(1.5, ge=0, description="Press, influencer, customer …")
    negativity: float = Field(1.5, ge=0, description="Negative sentiment.")
    waiting: float = Field(2.0, ge=0, description="Share of the response target already used.")


def _default_targets() -> dict[str, int]:
    return {"churn_threat": 60, "complaint": 120, "question": 240, "purchase_intent": 120}


class InboxSettings(BaseModel):
    """The `[inbox]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: dict[str, int] = Field(
        default_factory=_default_targets,
        description="First-response target in business minutes per intent.",
    )
    default_target: int = Field(
        480, gt=0, description="Target in business minutes for items without a listed intent."
    )
    warn_at: float = Field(
        0.75,
        gt=0,
        lt=1,
        description="Share of the target after which an item is 'about to breach'.",
    )
    business_hours: BusinessHours = Field(default_factory=lambda: BusinessHours())
    timezone: str | None = Field(
        None, description="IANA time zone of the business hours (default: [workspace].timezone)."
    )
    weights: PriorityWeights = Field(default_factory=lambda: PriorityWeights())
    topic_kinds: list[str] = Field(
        default_factory=lambda: ["brand", "product"],
        description="Topic kinds whose matching posts with an intent land in the inbox.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value
