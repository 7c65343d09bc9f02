"""Settings of the `[publish]` table: channels to publish to, retries, tracked links."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from resonanz.secrets import Secret

Network = Literal["mastodon", "bluesky", "webhook"]


class ChannelSettings(BaseModel):
    """One ``[publish.channels.NAME]`` entry: an account we publish to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: Network = Field(description="mastodon, bluesky or webhook.")
    url: str = Field(description="Instance URL (Mastodon), PDS URL (Bluesky) or the webhook's URL.")
    handle: str | None = Field(None, description="Our handle, e.g. acme@social.example.")
    token: Secret | None = Field(
        None, description="Mastodon access token, or the webhook's signing secret."
    )
    password: Secret | None = Field(None, description="Bluesky app password.")
    visibility: str = Field("public", description="Mastodon visibility of our posts.")
    lang: str | None = Field(None, description="Language tag sent with posts (ISO 639-1).")

    @model_validator(mode="after")
    def _credentials(self) -> ChannelSettings:
        if self.network == "mastodon" and self.token is None:
            raise ValueError('a mastodon channel needs token = {env = "NAME"}')
        if self.network == "bluesky" and (self.password is None or not self.handle):
            raise ValueError('a bluesky channel needs handle and password = {env = "NAME"}')
        return self


class PublishSettings(BaseModel):
    """The `[publish]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channels: dict[str, ChannelSettings] = Field(
        default_factory=dict, description="Accounts we publish to and reply from, by name."
    )
    max_attempts: int = Field(6, ge=1, description="Tries before a post is marked failed.")
    backoff_s: float = Field(30.0, gt=0, description="Wait after the first failed try.")
    backoff_max_s: float = Field(3600.0, gt=0, description="Longest wait between tries.")
    timeout_s: float = Field(20.0, gt=0, description="HTTP timeout of one publishing request.")
    link_base: str = Field(
        "http://localhost:8000",
        description="Public base URL of this Resonanz server, for short links (/l/CODE).",
    )
    track_links: bool = Field(True, description="Turn links in drafts into tracked short links.")
    conversion_token: Secret | None = Field(
        None, description="Shared secret the shop uses for the conversion API (token or HMAC)."
    )
    referral_target: str | None = Field(
        None, description="Where referral links lead (the shop), e.g. https://shop.example/."
    )
