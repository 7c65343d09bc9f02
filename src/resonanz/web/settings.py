"""Settings of the `[web]` table."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WebSettings(BaseModel):
    """The `[web]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
