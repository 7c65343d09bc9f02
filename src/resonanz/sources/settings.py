"""Settings of the sources to collect from and of our own accounts.

Each ``[[sources]]`` entry is one of the typed tables below, chosen by its ``type``. URL
settings default to the public services; point them at ``resonanz localnet serve`` to try
everything offline. Credentials are :class:`~resonanz.secrets.Secret` indirections only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from resonanz.secrets import Secret

MASTODON_URL = "https://mastodon.social"
BLUESKY_URL = "https://public.api.bsky.app"
JETSTREAM_URL = "wss://jetstream2.us-east.bsky.network"
REDDIT_AUTH_URL = "https://www.reddit.com"
REDDIT_API_URL = "https://oauth.reddit.com"
HACKERNEWS_URL = "https://hn.algolia.com/api/v1"
NETWORKS = ("mastodon", "bluesky", "reddit", "hackernews", "rss")


class HttpSettings(BaseModel):
    """How politely a source talks to its platform."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout_seconds: float = Field(20.0, gt=0, description="Timeout of one request.")
    retries: int = Field(5, ge=0, description="Retries on 5xx, 429 and network errors.")
    backoff_seconds: float = Field(
        1.0, ge=0, description="First retry wait; doubles per try, with random jitter."
    )
    max_backoff_seconds: float = Field(120.0, ge=0, description="Longest wait between tries.")
    max_retry_after_seconds: float = Field(
        900.0, ge=0, description="Longest Retry-After or rate-limit reset to wait for."
    )
    requests_per_minute: float | None = Field(
        None, gt=0, description="Request budget per platform (default: the platform's own)."
    )


class _SourceBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="A name for status lines and cursors.")
    since: str | None = Field(
        None, description="Backfill nothing older than this date (ISO 8601, e.g. 2026-01-01)."
    )
    poll_seconds: float = Field(60.0, gt=0, description="Wait between polls when not streaming.")
    http: HttpSettings = Field(default_factory=lambda: HttpSettings())


class MastodonSource(_SourceBase):
    """Hashtag timelines or search of one Mastodon instance, then its streaming API."""

    type: Literal["mastodon"] = "mastodon"
    instance: str = Field(MASTODON_URL, description="Base URL of the instance.")
    hashtag: str | None = Field(None, description="Hashtag to follow (without #).")
    query: str | None = Field(
        None, description="Full-text search (only on instances that offer it)."
    )
    token: Secret | None = Field(None, description="Access token (search needs one).")
    stream: bool = Field(True, description="Follow the streaming API after the backfill.")


class BlueskySource(_SourceBase):
    """``app.bsky.feed.searchPosts`` backfill, then Jetstream with our own query matching."""

    type: Literal["bluesky"] = "bluesky"
    service: str = Field(BLUESKY_URL, description="XRPC service (AppView or PDS) base URL.")
    query: str = Field(description="Search query; also matched against the Jetstream.")
    jetstream: str | None = Field(
        JETSTREAM_URL, description="Jetstream base URL (empty: poll search instead)."
    )
    identifier: str | None = Field(None, description="Handle to log in with (app password).")
    app_password: Secret | None = Field(None, description="App password of `identifier`.")


class RedditSource(_SourceBase):
    """Reddit search or a subreddit's newest posts, over OAuth."""

    type: Literal["reddit"] = "reddit"
    query: str | None = Field(None, description="Search query.")
    subreddit: str | None = Field(None, description="Restrict to this subreddit (without r/).")
    auth_url: str = Field(REDDIT_AUTH_URL, description="Where OAuth tokens come from.")
    api_url: str = Field(REDDIT_API_URL, description="OAuth API base URL.")
    client_id: Secret = Field(
        default_factory=lambda: Secret(env="REDDIT_CLIENT_ID"),
        description="OAuth client id of a Reddit 'script' app.",
    )
    client_secret: Secret = Field(
        default_factory=lambda: Secret(env="REDDIT_CLIENT_SECRET"),
        description="OAuth client secret.",
    )
    user_agent: str = Field(
        "resonanz/0.1 (self-hosted listening)", description="User-Agent Reddit asks for."
    )


class HackerNewsSource(_SourceBase):
    """Hacker News stories and comments through the Algolia search API."""

    type: Literal["hackernews"] = "hackernews"
    api: str = Field(HACKERNEWS_URL, description="Algolia HN API base URL.")
    query: str = Field(description="Search query.")


class RssSource(_SourceBase):
    """An RSS or Atom feed, or a site whose feed is discovered from its HTML."""

    type: Literal["rss"] = "rss"
    url: str = Field(description="Feed URL, or a site URL to discover the feed from.")


SourceSettings = Annotated[
    MastodonSource | BlueskySource | RedditSource | HackerNewsSource | RssSource,
    Field(discriminator="type"),
]
AnySource = MastodonSource | BlueskySource | RedditSource | HackerNewsSource | RssSource


class AccountSettings(BaseModel):
    """One ``[[accounts]]`` entry: an account of ours on a network."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network: Literal["mastodon", "bluesky"] = Field(description="mastodon or bluesky.")
    handle: str = Field(description="The account's handle (user@instance, or name.bsky.social).")
    service: str | None = Field(
        None, description="Instance (Mastodon) or PDS (Bluesky) URL; default from the handle."
    )
    brand: str | None = Field(None, description="Brand or client this account belongs to.")
    token: Secret | None = Field(
        None, description="Access token (Mastodon) or app password (Bluesky)."
    )
    stream: bool = Field(True, description="Follow notifications live (Mastodon streaming).")
    poll_seconds: float = Field(300.0, gt=0, description="Wait between polls of our posts.")
    http: HttpSettings = Field(default_factory=lambda: HttpSettings())

    @property
    def account_id(self) -> str:
        """The key of this account in the ``accounts`` table."""
        return f"{self.network}:{self.handle.lstrip('@')}"

    def service_url(self) -> str:
        """Return the instance/PDS URL, derived from the handle when not set."""
        if self.service:
            return self.service.rstrip("/")
        if self.network == "mastodon":
            host = self.handle.lstrip("@").partition("@")[2]
            return f"https://{host}" if host else MASTODON_URL
        return "https://bsky.social"


def source_id(settings: AnySource) -> str:
    """Return the stable id of a source: its name, else derived from what it collects."""
    if settings.name:
        return settings.name
    if isinstance(settings, MastodonSource):
        what = f"#{settings.hashtag}" if settings.hashtag else f"q={settings.query}"
        return f"mastodon:{_host(settings.instance)}:{what}"
    if isinstance(settings, BlueskySource):
        return f"bluesky:q={settings.query}"
    if isinstance(settings, RedditSource):
        where = f"r/{settings.subreddit}:" if settings.subreddit else ""
        return f"reddit:{where}q={settings.query or ''}"
    if isinstance(settings, HackerNewsSource):
        return f"hackernews:q={settings.query}"
    return f"rss:{settings.url}"


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]
