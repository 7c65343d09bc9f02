"""Local write servers and a workspace whose channels point at them."""

from channel_servers import bluesky_local, channel_ws, mastodon_local

__all__ = ["bluesky_local", "channel_ws", "mastodon_local"]
