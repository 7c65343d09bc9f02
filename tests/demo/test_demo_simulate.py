"""The simulated world itself: determinism, volumes and a ground truth that matches the posts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from resonanz.demo.simulate import Simulation, simulate
from resonanz.demo.timeline import best_slots, engagement_factor
from resonanz.demo.truth import build_truth, cascade_stats
from resonanz.demo.world import SimPost

ANCHOR = datetime(2026, 3, 1, 12, tzinfo=UTC)
POSTS = 4_000


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return simulate(7, POSTS, ANCHOR)


def _fingerprint(s: Simulation) -> list[tuple[object, ...]]:
    return [
        (s.ids[p.idx], p.author.handle, p.text, p.created_at, p.parent, p.extra.get("likes"))
        for p in s.world.posts
    ]


def test_same_seed_same_world_other_seed_other_world(sim: Simulation) -> None:
    again = simulate(7, POSTS, ANCHOR)
    assert _fingerprint(again) == _fingerprint(sim)
    other = simulate(8, POSTS, ANCHOR)
    assert [p.text for p in other.world.posts][:200] != [p.text for p in sim.world.posts][:200]


def test_volumes_platforms_and_languages(sim: Simulation) -> None:
    posts = sim.world.posts
    assert len(posts) == POSTS
    assert all(ANCHOR - timedelta(days=90) <= p.created_at < ANCHOR for p in posts)
    platforms = Counter(p.author.platform for p in posts)
    assert set(platforms) == {"mastodon", "bluesky", "reddit", "hackernews", "rss"}
    assert min(platforms.values()) > 0.02 * POSTS
    german = sum(p.lang == "de" for p in posts) / len(posts)
    assert 0.48 < german < 0.62
    kinds = Counter(p.kind for p in posts)
    assert kinds["repost"] > 0.1 * POSTS and kinds["reply"] > 0.15 * POSTS and kinds["quote"] > 0
    assert len(set(sim.ids)) == len(posts)


def test_children_come_after_their_parents_on_the_same_network(sim: Simulation) -> None:
    posts = sim.world.posts
    for post in posts:
        if post.parent is not None:
            parent = posts[post.parent]
            assert parent.created_at < post.created_at
            assert parent.author.platform == post.author.platform
            assert post.root == parent.root


def test_viral_cascade_is_the_largest_deepest_widest_and_most_viral(sim: Simulation) -> None:
    truth = build_truth(sim, 7)
    stats = cascade_stats(sim.world.posts)
    viral = truth["viral_cascade"]
    root = sim.ids.index(viral["root_native_id"])
    others = [s for r, s in stats.items() if r != root]
    for key in ("size", "depth", "max_breadth", "structural_virality"):
        assert stats[root][key] > max(s[key] for s in others), key
    assert stats[root]["depth"] >= 6


def test_crisis_is_a_negative_battery_burst_in_its_window(sim: Simulation) -> None:
    truth = build_truth(sim, 7)["crisis"]
    start, end = datetime.fromisoformat(truth["start"]), datetime.fromisoformat(truth["end"])
    crisis = [p for p in sim.world.posts if p.crisis and p.kind == "post"]
    assert len(crisis) >= 40
    assert all(p.created_at >= start for p in crisis)
    assert sum(p.created_at < end for p in crisis) > 0.9 * len(crisis)
    assert all(p.sentiment == "negative" and p.aspect == "battery" for p in crisis)
    assert Counter(p.emotion for p in crisis).keys() == {"anger", "fear"}

    def battery_complaints(lo: datetime, hi: datetime) -> int:
        return sum(
            lo <= p.created_at < hi and p.aspect == "battery" and p.sentiment == "negative"
            for p in sim.world.posts
        )

    day = timedelta(days=1)
    assert battery_complaints(start, start + 2 * day) > 8 * battery_complaints(
        start - 3 * day, start - day
    )


def _replies_by_us(sim: Simulation, question: SimPost) -> list[SimPost]:
    own = set(sim.world.own.values())
    return [p for p in sim.world.posts if p.parent == question.idx and p.author in own]


def test_questions_answered_or_not_as_the_truth_says(sim: Simulation) -> None:
    truth = build_truth(sim, 7)
    by_id = {sim.ids[p.idx]: p for p in sim.world.posts}
    answered, unanswered = truth["questions"]["answered"], truth["questions"]["unanswered"]
    assert len(answered) > len(unanswered) > 5
    for item in answered:
        question = by_id[item["native_id"]]
        replies = _replies_by_us(sim, question)
        assert [sim.ids[r.idx] for r in replies] == [item["reply_native_id"]]
        assert replies[0].created_at > question.created_at
        assert "question" in question.intents
    for item in unanswered:
        question = by_id[item["native_id"]]
        assert not _replies_by_us(sim, question)
        assert question.mentions or question.parent is not None


def test_opinion_leaders_bots_and_referrals(sim: Simulation) -> None:
    truth = build_truth(sim, 7)
    leaders = truth["opinion_leaders"]
    reach = [x["interacting_authors"] for x in leaders]
    assert reach == sorted(reach, reverse=True)
    fans: dict[str, set[str]] = {}
    for post in sim.world.posts:
        targets = list(post.mentions)
        if post.parent is not None:
            targets.append(sim.world.posts[post.parent].author.handle)
        for handle in targets:
            if handle != post.author.handle:
                fans.setdefault(handle, set()).add(post.author.handle)
    own = {a.handle for a in sim.world.own.values()}
    ranking = sorted((h for h in fans if h not in own), key=lambda h: -len(fans[h]))
    top = set(ranking[: len(leaders)])
    assert len(top & {x["handle"] for x in leaders}) >= 0.75 * len(leaders)
    assert ranking[0] == leaders[0]["handle"]
    assert len(truth["bots"]) >= 3
    bot_handles = {b["handle"] for b in truth["bots"]}
    per_author = Counter(p.author.handle for p in sim.world.posts)
    assert sum(per_author[h] for h in bot_handles) / len(bot_handles) > 3 * (
        len(sim.world.posts) / len(per_author)
    )
    codes = truth["campaign"]["referral_codes"]
    assert len(codes) >= 10 and len({c["code"] for c in codes}) == len(codes)
    assert all(c["link"] and c["code"] in c["link"] for c in codes)


def test_best_time_slots_are_where_engagement_peaks() -> None:
    best = best_slots(3)
    top = engagement_factor(best[0]["weekday"], best[0]["hour"])
    assert top > 2.5 * engagement_factor(2, 3)
    assert all(top >= engagement_factor(d, h) for d in range(7) for h in range(24))
