"""Settings of the `[inbox]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InboxSettings(BaseModel):
    """The `[inbox]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
