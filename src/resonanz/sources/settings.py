"""Settings of the sources to collect from and of our own accounts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SourceSettings(BaseModel):
    """One ``[[sources]]`` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = Field(description="mastodon, bluesky, reddit, hackernews or rss.")
    name: str | None = Field(None, description="A name for status lines and cursors.")


class AccountSettings(BaseModel):
    """One ``[[accounts]]`` entry: an account of ours on a network."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: str = Field(description="mastodon or bluesky.")
    handle: str = Field(description="The account's handle.")
