"""The phrase grammar and the post writer: every slot expands, texts vary, links survive noise."""

from __future__ import annotations

import random
import re

import pytest

from resonanz.demo import grammar
from resonanz.demo.brand import ASPECTS, BRAND, COMPETITORS
from resonanz.demo.labels import INTENDED
from resonanz.demo.language import PostSpec, write


def test_parse_and_expand_a_small_grammar() -> None:
    g = grammar.Grammar.parse(
        "= hi\n# comment\n{greet} {who}{?bang}\n= greet\nhallo\n= who\nWelt\n= bang\n!"
    )
    texts = {g.expand("hi", random.Random(i), {}) for i in range(20)}
    assert texts == {"hallo Welt", "hallo Welt!"}


def test_unknown_names_and_orphan_lines_are_errors() -> None:
    with pytest.raises(ValueError, match="before the first"):
        grammar.Grammar.parse("stray line\n= slot\nx")
    with pytest.raises(KeyError, match="nope"):
        grammar.Grammar.parse("= a\n{nope}").expand("a", random.Random(0), {})


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_intended_slot_writes_in_both_languages(lang: str) -> None:
    rng = random.Random(7)
    for slot in INTENDED:
        for aspect in ASPECTS:
            spec = PostSpec(
                slot, lang, aspect=aspect, company=BRAND, product=BRAND.products[1],
                rival=COMPETITORS[0], us="@rheinrad", link="https://go.rheinrad.example/l/FX",
                code="FX", name="Jana",
            )  # fmt: skip
            for _ in range(3):
                text = write(spec, rng).text
                assert text.strip()
                assert "{" not in text and "\x00" not in text, (slot, text)


def _sample(lang: str, n: int) -> list[str]:
    rng = random.Random(11)
    slots = ["complaint", "praise", "question_us", "purchase", "churn", "recommend", "chatter"]
    texts = []
    for i in range(n):
        company = (BRAND, *COMPETITORS)[i % 3]
        spec = PostSpec(
            slots[i % len(slots)], lang, sentiment="negative", aspect=ASPECTS[i % len(ASPECTS)],
            company=company, product=company.products[i % 2], rival=COMPETITORS[i % 2],
            us="@rheinrad",
        )  # fmt: skip
        texts.append(write(spec, rng).text)
    return texts


@pytest.mark.parametrize("lang", ["de", "en"])
def test_texts_vary_like_real_posts(lang: str) -> None:
    texts = _sample(lang, 3000)
    assert len(set(texts)) / len(texts) > 0.93
    trigrams = {
        tuple(words[i : i + 3])
        for words in (t.lower().split() for t in texts)
        for i in range(len(words) - 2)
    }
    assert len(trigrams) > 6000
    openings = {" ".join(t.split()[:2]) for t in texts}
    assert len(openings) > 400


def test_german_posts_sound_colloquial() -> None:
    joined = " ".join(_sample("de", 3000)).lower()
    for word in ("mega", "echt jetzt", "katastrophe", "nervt", "moin"):
        assert word in joined
    english = " ".join(_sample("en", 3000)).lower()
    for word in ("ngl", "tbh", "smh", "10/10"):
        assert word in english


def test_links_codes_and_hashtags_survive_noise() -> None:
    rng = random.Random(3)
    link = "https://go.rheinrad.example/l/FK7M2Q?utm_source=mastodon"
    for _ in range(300):
        spec = PostSpec(
            "referral", "de", aspect="price", company=BRAND, product=BRAND.products[0],
            link=link, code="FK7M2Q", extra_tags=("RheinradFreunde",),
        )  # fmt: skip
        written = write(spec, rng)
        assert written.links == [link] or (not written.links and "FK7M2Q" in written.text)
        assert link in written.text or "FK7M2Q" in written.text
        assert "rheinradfreunde" in written.hashtags
        assert all(f"#{tag}" in written.text.lower() for tag in written.hashtags)


def test_aspect_use_is_reported() -> None:
    rng = random.Random(5)
    spec = PostSpec("complaint", "en", aspect="brakes", company=BRAND, product=BRAND.products[0])
    written = write(spec, rng)
    assert written.aspect_used
    chatter = write(PostSpec("offtopic", "en", aspect="brakes"), rng)
    assert not chatter.aspect_used
    assert not re.search(r"\{|\}", chatter.text)
