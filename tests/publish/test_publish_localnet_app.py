"""Publishing against the full local network apps (read and write side on one state)."""

from __future__ import annotations

from datetime import UTC, datetime

from resonanz.localnet.app import build_app
from resonanz.localnet.bluesky_write import write_state as bluesky_write_state
from resonanz.localnet.mastodon import account
from resonanz.localnet.mastodon_write import write_state as mastodon_write_state
from resonanz.localnet.server import run_in_thread
from resonanz.localnet.state import NetworkState
from resonanz.publish.bluesky import BlueskyPublisher
from resonanz.publish.mastodon import MastodonPublisher
from resonanz.publish.publisher import Outgoing


def test_mastodon_app_serves_what_we_published() -> None:
    state = NetworkState("mastodon", account=account("acme", 1), tokens={"tok"})
    url, stop = run_in_thread(build_app("mastodon", state))
    publisher = MastodonPublisher(url, "tok")
    post = Outgoing("key-1", "Hallo #acme", datetime.now(UTC))
    try:
        first = publisher.publish(post)
        assert publisher.publish(post) == first  # the Idempotency-Key dedupes
        assert publisher.lookup(post) == first  # found again through the read side
    finally:
        publisher.close()
        stop()
    assert len(mastodon_write_state(state).received()) == 1
    assert [w["kind"] for w in state.writes] == ["status"]


def test_bluesky_app_accepts_read_side_sessions() -> None:
    state = NetworkState("bluesky")
    url, stop = run_in_thread(build_app("bluesky", state))
    publisher = BlueskyPublisher(url, "acme.bsky.example", "pw")
    post = Outgoing("key-2", "Hallo #acme https://acme.example", datetime.now(UTC))
    try:
        first = publisher.publish(post)
        assert publisher.publish(post) == first  # the record key is taken: same record
    finally:
        publisher.close()
        stop()
    (record,) = bluesky_write_state(state).records.values()
    facets = record["value"]["facets"]
    assert {f["features"][0]["$type"] for f in facets} == {
        "app.bsky.richtext.facet#link",
        "app.bsky.richtext.facet#tag",
    }
