"""The local network servers: app assembly, threads, and serving the demo world."""

from __future__ import annotations

import httpx
import pytest

from resonanz.localnet.app import NETWORKS, build_app
from resonanz.localnet.demo import build_states, sample_rows, sources_toml
from resonanz.localnet.server import run_in_thread
from resonanz.localnet.state import Fault, NetworkState
from resonanz.sources.settings import RssSource


def test_every_network_serves_its_read_side() -> None:
    states = build_states(sample_rows(6), hold_back=0.5)
    stops = []
    try:
        urls = {}
        for name in NETWORKS:
            url, stop = run_in_thread(build_app(name, states[name]))
            stops.append(stop)
            urls[name] = url
        with httpx.Client() as client:
            tag = client.get(f"{urls['mastodon']}/api/v1/timelines/tag/acme").json()
            assert tag and all(s["tags"][0]["name"] == "acme" for s in tag)
            hn = client.get(f"{urls['hackernews']}/api/v1/search_by_date", params={"query": "acme"})
            assert hn.json()["nbHits"] == len(
                [p for p in states["hackernews"].visible_posts() if "acme" in p["title"].lower()]
            )
            assert "rss+xml" in client.get(f"{urls['rss']}/").text
        toml = sources_toml(urls, "acme", "acme")
        assert toml.count("[[sources]]") == 5
    finally:
        for stop in stops:
            stop()


def test_state_faults_and_writes_are_shared() -> None:
    state = NetworkState("mastodon", faults=[Fault("/api", 418, after=1)])
    assert state.take_fault("/api/x") is None
    assert state.take_fault("/api/x") is not None
    assert state.take_fault("/api/x") is None
    entry = state.record_write("status", {"status": "hi"})
    assert state.writes == [entry]


def test_unknown_network_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown network"):
        build_app("myspace")


def test_settings_union_accepts_each_type() -> None:
    from resonanz.config import parse_settings

    settings = parse_settings('[[sources]]\ntype = "rss"\nurl = "https://b.example/feed"\n')
    assert isinstance(settings.sources[0], RssSource)
