"""Settings of the `[publish]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class PublishSettings(BaseModel):
    """The `[publish]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
