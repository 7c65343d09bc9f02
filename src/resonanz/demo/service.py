"""Our own accounts: their regular posts, and the questions and complaints addressed to them."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from resonanz.demo.brand import ASPECTS, BRAND
from resonanz.demo.cascade import Growth, grow, reply_with
from resonanz.demo.language import PostSpec
from resonanz.demo.population import Author
from resonanz.demo.timeline import business_reply, engagement_factor
from resonanz.demo.world import SimPost, World, mention_text, owned_product

#: How often each aspect comes up in questions to us.
QUESTION_ASPECTS = (3, 4, 2, 3, 1, 1, 1, 1, 1, 1)
#: Likes a typical post of ours gets at an average hour, per network.
BASE_LIKES = {"mastodon": 30.0, "bluesky": 48.0}


def first_name(author: Author) -> str:
    """Return how our team addresses someone: their first name, else their handle."""
    name = author.display_name.split(" ")[0]
    return name if name.isalpha() and name[:1].isupper() else author.handle.split("@")[0]


def answer(
    world: World, rng: random.Random, post: SimPost, *, complaint: bool, p_answer: float
) -> None:
    """Decide whether and when our account answers ``post``; record it in the ground truth."""
    key = "complaints" if complaint else "questions"
    book = world.truth.setdefault(key, {"answered": [], "unanswered": []})
    slow = world.in_crisis(post.created_at)
    when = business_reply(rng, post.created_at, slow=slow)
    own = world.own.get(post.author.platform)
    if own is not None and rng.random() < p_answer and when < world.clock.anchor:
        slot = "answer_complaint" if complaint else "answer_question"
        reply = reply_with(world, rng, post, "reply", own, when, slot, name=first_name(post.author))
        book["answered"].append((post.idx, reply.idx))
        return
    book["unanswered"].append((post.idx, None))
    if rng.random() < 0.3:
        helper = world.pool(post.author.platform).pick(rng, avoid=post.author)
        at = post.created_at + timedelta(minutes=40 * math.exp(rng.gauss(0.0, 1.0)))
        if at < world.clock.anchor:
            reply_with(world, rng, post, "reply", helper, at, "reply_help")


def address_us(
    world: World, rng: random.Random, author: Author, at: datetime, slot: str
) -> SimPost:
    """Add a post by ``author`` that asks or tells our account something directly."""
    company, prod = owned_product(author, rng)
    if company is not BRAND:
        company, prod = BRAND, BRAND.products[rng.randrange(len(BRAND.products))]
    handle = world.own_handle(author.platform, BRAND)
    us = mention_text(author.platform, handle)
    spec = PostSpec(
        intent=slot,
        lang=author.lang,
        aspect=rng.choices(ASPECTS, weights=QUESTION_ASPECTS)[0],
        company=company,
        product=prod,
        rival=None,
        us=us,
    )
    post = world.compose(rng, author, at, spec)
    if handle not in post.mentions:
        post.text = f"{us} {post.text}"
        post.mentions.append(handle)
    return post


def questions(world: World, count: int, complaints: int) -> None:
    """Add questions and complaints addressed to our accounts, some never answered."""
    rng = world.rng("questions")
    sampler = world.clock.sampler()
    for i in range(count + complaints):
        platform = "mastodon" if rng.random() < 0.5 else "bluesky"
        author = world.pool(platform, ("customer", "prospect")).pick(rng)
        complaint = i >= count
        post = address_us(
            world, rng, author, sampler.draw(rng), "complaint" if complaint else "question_us"
        )
        answer(world, rng, post, complaint=complaint, p_answer=0.5 if complaint else 0.68)


def own_posts(world: World, per_account: int) -> None:
    """Add our accounts' regular posts; engagement follows the hour of the week."""
    rng = world.rng("own-posts")
    for _, own in sorted(world.own.items()):
        for _ in range(per_account):
            day = world.clock.start + timedelta(days=rng.randrange(90))
            local = world.clock.local(day)
            hour = rng.choices(range(24), weights=[1 if h < 6 else 4 for h in range(24)])[0]
            local = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
            at = local.astimezone(day.tzinfo)
            if not world.clock.start <= at < world.clock.anchor:
                continue
            _own_post(world, rng, own, at, engagement_factor(local.weekday(), local.hour))


def _own_post(world: World, rng: random.Random, own: Author, at: datetime, factor: float) -> None:
    prod = BRAND.products[rng.randrange(len(BRAND.products))]
    spec = PostSpec(
        intent="brand_post",
        lang="de" if rng.random() < 0.65 else "en",
        company=BRAND,
        product=prod,
        link=f"https://{BRAND.domain}/{prod.key}",
    )
    post = world.compose(rng, own, at, spec, has_media=rng.random() < 0.5)
    likes = BASE_LIKES[own.platform] * factor * math.exp(rng.gauss(0.0, 0.3))
    post.extra["likes"] = round(likes)
    post.extra["factor"] = factor
    grow(
        world, post, Growth(first=1.6 * factor, mean=0.1, cap=world.cap, kinds=(1.0, 0.0, 0.2)), rng
    )
    for _ in range(min(6, round(rng.expovariate(1.0) * 1.2 * factor))):
        when = at + timedelta(minutes=30 * math.exp(rng.gauss(0.0, 1.0)))
        if when >= world.clock.anchor:
            continue
        who = world.pool(own.platform, ("customer", "prospect", "public")).pick(rng)
        roll = rng.random()
        if roll < 0.5:
            reply_with(world, rng, post, "reply", who, when, "reply_praise")
            continue
        slot = "question_us" if roll < 0.85 else "complaint"
        asked = address_us(world, rng, who, when, slot)
        asked.kind, asked.parent = "reply", post.idx
        world.relink(asked)
        answer(world, rng, asked, complaint=slot == "complaint", p_answer=0.7)
