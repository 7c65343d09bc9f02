"""Build the publisher of each ``[publish.channels.NAME]`` entry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from resonanz.errors import ConfigError
from resonanz.publish.bluesky import BlueskyPublisher
from resonanz.publish.mastodon import MastodonPublisher
from resonanz.publish.publisher import Publisher
from resonanz.publish.settings import ChannelSettings, PublishSettings
from resonanz.publish.webhook import WebhookPublisher


def channel(settings: PublishSettings, name: str) -> ChannelSettings:
    """Return the settings of channel ``name`` or raise naming the fix."""
    try:
        return settings.channels[name]
    except KeyError:
        known = ", ".join(sorted(settings.channels)) or "none"
        raise ConfigError(
            f"unknown channel {name!r} (known: {known}); add [publish.channels.{name}] "
            "to resonanz.toml"
        ) from None


def build_publisher(name: str, settings: PublishSettings, folder: Path) -> Publisher:
    """Return a publisher for channel ``name``; secrets are read now, never logged."""
    conf = channel(settings, name)
    timeout = settings.timeout_s
    if conf.network == "mastodon":
        assert conf.token is not None  # the settings validator demands it
        return MastodonPublisher(
            conf.url,
            conf.token.reveal(folder),
            channel=name,
            visibility=conf.visibility,
            timeout=timeout,
        )
    if conf.network == "bluesky":
        assert conf.password is not None and conf.handle is not None
        return BlueskyPublisher(
            conf.url,
            conf.handle,
            conf.password.reveal(folder),
            channel=name,
            lang=conf.lang,
            timeout=timeout,
        )
    secret = conf.token.reveal(folder) if conf.token else None
    return WebhookPublisher(conf.url, secret, channel=name, timeout=timeout)


class Publishers(Mapping[str, Publisher]):
    """Publishers by channel name, built on first use and closed together."""

    def __init__(self, settings: PublishSettings, folder: Path) -> None:
        self._settings = settings
        self._folder = folder
        self._built: dict[str, Publisher] = {}

    def __getitem__(self, name: str) -> Publisher:
        if name not in self._built:
            self._built[name] = build_publisher(name, self._settings, self._folder)
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._settings.channels)

    def __len__(self) -> int:
        return len(self._settings.channels)

    def close(self) -> None:
        """Close every publisher built so far."""
        for publisher in self._built.values():
            publisher.close()
        self._built.clear()


@contextmanager
def open_publishers(settings: PublishSettings, folder: Path) -> Iterator[Publishers]:
    """Yield the workspace's publishers and close them afterwards."""
    publishers = Publishers(settings, folder)
    try:
        yield publishers
    finally:
        publishers.close()
