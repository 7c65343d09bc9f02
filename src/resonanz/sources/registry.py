"""Build connectors from settings: reveal secrets, share one request budget per platform."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from resonanz.errors import ConfigError
from resonanz.secrets import Secret
from resonanz.sources.base import Connector
from resonanz.sources.bluesky import BlueskyConnector
from resonanz.sources.bluesky_account import BlueskyNotifications, BlueskyOwnPosts
from resonanz.sources.hackernews import HackerNewsConnector
from resonanz.sources.http import DEFAULT_BUDGETS, Budget, Http
from resonanz.sources.mastodon import MastodonConnector
from resonanz.sources.mastodon_account import MastodonNotifications, MastodonOwnPosts
from resonanz.sources.reddit import RedditConnector
from resonanz.sources.rss import RssConnector
from resonanz.sources.settings import (
    AccountSettings,
    AnySource,
    BlueskySource,
    HackerNewsSource,
    HttpSettings,
    MastodonSource,
    RedditSource,
    source_id,
)


@dataclass
class Planned:
    """A connector to run, the account it belongs to (if ours), and its poll interval."""

    connector: Connector
    poll_seconds: float
    account_id: str | None = None


@dataclass
class Factory:
    """Make connectors for one workspace folder (secrets resolve relative to it)."""

    folder: Path | None = None
    transport: httpx.AsyncBaseTransport | None = None
    budgets: dict[str, Budget] = field(default_factory=dict)

    def http(self, platform: str, settings: HttpSettings) -> Http:
        """Return an HTTP client sharing the platform's request budget."""
        if platform not in self.budgets:
            rate = settings.requests_per_minute or DEFAULT_BUDGETS.get(platform, 60.0)
            self.budgets[platform] = Budget(rate)
        return Http.create(
            platform, settings, budget=self.budgets[platform], transport=self.transport
        )

    def reveal(self, secret: Secret | None) -> str | None:
        """Return a secret's value (None when not configured)."""
        return None if secret is None else secret.reveal(self.folder)

    def source(self, settings: AnySource) -> Connector:
        """Build the connector of one ``[[sources]]`` entry."""
        sid = source_id(settings)
        if isinstance(settings, MastodonSource):
            http = self.http("mastodon", settings.http)
            return MastodonConnector(sid, http, settings, self.reveal(settings.token))
        if isinstance(settings, BlueskySource):
            password = self.reveal(settings.app_password)
            return BlueskyConnector(sid, self.http("bluesky", settings.http), settings, password)
        if isinstance(settings, RedditSource):
            client_id = self.reveal(settings.client_id) or ""
            secret = self.reveal(settings.client_secret) or ""
            http = self.http("reddit", settings.http)
            return RedditConnector(sid, http, settings, client_id, secret)
        if isinstance(settings, HackerNewsSource):
            return HackerNewsConnector(sid, self.http("hackernews", settings.http), settings)
        return RssConnector(sid, self.http("rss", settings.http), settings)

    def account(self, account: AccountSettings) -> list[Connector]:
        """Build the connectors of one of our accounts: its posts and its notifications."""
        token = self.reveal(account.token)
        if not token:
            raise ConfigError(
                f"account {account.account_id} has no token; set "
                'token = {stored = "NAME"} (or {env = "NAME"}) in its [[accounts]] entry'
            )
        base = f"account:{account.account_id}"
        posts: Callable[..., Connector]
        notes: Callable[..., Connector]
        if account.network == "mastodon":
            posts, notes = MastodonOwnPosts, MastodonNotifications
        else:
            posts, notes = BlueskyOwnPosts, BlueskyNotifications
        return [
            posts(f"{base}:posts", self.http(account.network, account.http), account, token),
            notes(
                f"{base}:notifications", self.http(account.network, account.http), account, token
            ),
        ]

    def plan(self, sources: list[AnySource], accounts: list[AccountSettings]) -> list[Planned]:
        """Build every configured source and account connector."""
        planned = [Planned(self.source(s), s.poll_seconds) for s in sources]
        for account in accounts:
            for connector in self.account(account):
                planned.append(Planned(connector, account.poll_seconds, account.account_id))
        return planned
