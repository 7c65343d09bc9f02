"""Settings of alert rules and their delivery channels."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AlertSettings(BaseModel):
    """The ``[alerts]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
