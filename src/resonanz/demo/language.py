"""Write the text of one simulated post: grammar expansion, emojis, hashtags and noise.

The phrase grammars (``phrases/de.txt``, ``phrases/en.txt``) give the wording per intent,
sentiment and aspect; this module fills in the post's facts (product, numbers, links), adds
hashtags and emojis, and roughens the text the way people type (casing, typos, dropped
punctuation, slang spellings).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from resonanz.demo import grammar
from resonanz.demo.brand import Company, Product
from resonanz.demo.noise import roughen, tidy

CITIES = (
    "Köln",
    "Bonn",
    "Düsseldorf",
    "Berlin",
    "Hamburg",
    "München",
    "Leipzig",
    "Münster",
    "Freiburg",
    "Aachen",
)
CITIES_EN = ("Cologne", "Berlin", "Hamburg", "Munich", "Amsterdam", "London", "Vienna", "Zurich")
AGENTS = ("LM", "TK", "Jana", "Mehmet", "SB", "Paula", "AR", "Nico")
SPAM_DOMAINS = ("ebike-akku-deals.example", "super-bike-sale.example", "akku24-billig.example")

_EMOJI = {
    "positive": ("😍", "🙌", "🚲", "💚", "👍", "✨", "😊", "🔋", "⚡"),
    "negative": ("😡", "🤬", "😤", "🙄", "👎", "😩", "💸", "🤦"),
    "fear": ("😱", "🔥", "😨", "⚠️", "🧯"),
    "neutral": ("🚲", "🤔", "👀", "🙂"),
}
_TAGS = {
    "de": ("ebike", "pedelec", "fahrrad", "radfahren", "verkehrswende", "pendeln", "radverkehr"),
    "en": ("ebike", "cycling", "bikecommute", "ebikes", "bikelife", "urbancycling"),
}
_CARGO_TAGS = {"de": ("lastenrad",), "en": ("cargobike",)}
_HASHTAG = re.compile(r"#(\w+)")


@dataclass(frozen=True)
class PostSpec:
    """What a post is about; the writer chooses the words."""

    intent: str  # a top-level grammar slot: complaint, praise, question_us, crisis, …
    lang: str
    sentiment: str = "neutral"
    aspect: str = ""
    emotion: str = "none"
    company: Company | None = None  # the company the post is about
    product: Product | None = None
    rival: Company | None = None  # the other company in comparisons and churn threats
    us: str = ""  # how the company's own account is written in the text, e.g. "@rheinrad"
    link: str | None = None
    code: str | None = None
    name: str = ""  # first name of the person answered
    extra_tags: tuple[str, ...] = ()


@dataclass
class Written:
    """The text of a post and the entities in it."""

    text: str
    hashtags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    aspect_used: bool = False  # the wording names the aspect


def write(spec: PostSpec, rng: random.Random) -> Written:
    """Compose the text of the post described by ``spec``."""
    gram = grammar.load(spec.lang)
    placeholders: dict[str, str] = {}
    context = _context(spec, rng, placeholders)
    used: list[str] = []
    text = tidy(gram.expand(spec.intent, rng, context, spec.aspect, used))
    if spec.intent not in ("news", "answer_question", "answer_complaint"):
        text = roughen(text, rng, spec.lang)
    text = _decorate(text, spec, rng)
    links = [v for k, v in placeholders.items() if "://" in v and k in text]
    for key, value in placeholders.items():
        text = text.replace(key, value)
    tags = [t.lower() for t in _HASHTAG.findall(text)]
    return Written(
        text=text,
        hashtags=list(dict.fromkeys(tags)),
        links=list(dict.fromkeys(links)),
        aspect_used=bool(used),
    )


def _context(spec: PostSpec, rng: random.Random, holders: dict[str, str]) -> dict[str, str]:
    """Fill the grammar's context variables; links and codes become noise-proof placeholders."""
    de = spec.lang == "de"
    prod = spec.product
    company = spec.company
    rival = spec.rival
    rival_product = rival.products[rng.randrange(len(rival.products))] if rival else None
    name = prod.name if prod else "Rad"
    other = ""
    if company is not None and prod is not None:
        others = [p.name for p in company.products if p.key != prod.key]
        other = others[rng.randrange(len(others))] if others else prod.name
    km = rng.choice((8, 12, 15, 18, 20, 22, 25, 30, 35, 40))
    context = {
        "PN": name,
        "PN2": other,
        "PF": prod.full if prod else name,
        "P": _choose(rng, _forms_de(prod) if de else _forms_en(prod)),
        "PD": _choose(rng, _dative_de(prod) if de else _forms_en(prod)),
        "KIND": (prod.kind_de if de else prod.kind_en) if prod else ("E-Bike" if de else "e-bike"),
        "B": company.name if company else "Rheinrad",
        "C": rival.name if rival else "Spreeflug",
        "CP": rival_product.full if rival_product else "Spreeflug Aero",
        "US": spec.us or "@rheinrad",
        "km": str(km),
        "km2": str(rng.randrange(4, 60) * 100),
        "km2short": str(rng.randrange(35, 140)),
        "weeks": str(rng.randrange(2, 10)),
        "days": str(rng.randrange(2, 15)),
        "months": str(rng.randrange(2, 19)),
        "hours": str(rng.randrange(2, 7)),
        "pct": str(rng.randrange(15, 65)),
        "range": str(rng.choice((60, 70, 80, 90, 100, 120))),
        "price": str(prod.price if prod else 2499),
        "n": str(rng.randrange(2, 6)),
        "order": str(rng.randrange(100000, 999999)),
        "city": _choose(rng, CITIES if de else CITIES_EN),
        "name": spec.name or "du",
        "agent": _choose(rng, AGENTS),
    }
    context["link"] = _hold(holders, spec.link or f"https://{_domain(company)}/")
    context["code"] = _hold(holders, spec.code or "")
    spam = f"http://{_choose(rng, SPAM_DOMAINS)}/?ref={rng.randrange(10**6, 10**7)}"
    context["spamlink"] = _hold(holders, spam)
    return context


def _hold(holders: dict[str, str], value: str) -> str:
    """Return a placeholder for ``value`` that noise cannot damage."""
    key = f"\x00{len(holders)}\x00"
    holders[key] = value
    return key


def _domain(company: Company | None) -> str:
    return company.domain if company else "rheinrad.example"


def _choose(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return options[rng.randrange(len(options))]


def _forms_de(prod: Product | None) -> list[str]:
    if prod is None:
        return ["mein Rad", "das Rad", "mein E-Bike"]
    return [
        f"mein {prod.name}",
        f"das {prod.full}",
        f"das {prod.name}",
        f"mein neues {prod.name}",
        f"unser {prod.name}",
    ]


def _dative_de(prod: Product | None) -> list[str]:
    if prod is None:
        return ["meinem Rad", "dem E-Bike"]
    return [f"meinem {prod.name}", f"dem {prod.full}", f"dem {prod.name}", f"meinem neuen {prod.name}"]


def _forms_en(prod: Product | None) -> list[str]:
    if prod is None:
        return ["my bike", "my e-bike"]
    return [f"my {prod.name}", f"the {prod.full}", f"my new {prod.name}", f"the {prod.name}"]


def _decorate(text: str, spec: PostSpec, rng: random.Random) -> str:
    """Append emojis and hashtags the way people do, more often on Mastodon-style posts."""
    if spec.intent in ("news", "answer_question", "answer_complaint"):
        return text
    mood = "fear" if spec.emotion == "fear" else spec.sentiment
    pool = _EMOJI.get(mood, _EMOJI["neutral"])
    if rng.random() < 0.35:
        text += " " + _choose(rng, pool) * (1 + (rng.random() < 0.25))
    tags = list(spec.extra_tags)
    if spec.company is not None and rng.random() < 0.3:
        tags.append(spec.company.hashtag)
        if spec.product is not None and rng.random() < 0.3:
            tags.append(spec.company.hashtag + spec.product.key)
    if rng.random() < 0.35:
        tags.append(_choose(rng, _TAGS[spec.lang]))
    if spec.product is not None and spec.product.kind_en == "cargo bike" and rng.random() < 0.3:
        tags.append(_choose(rng, _CARGO_TAGS[spec.lang]))
    seen = {t.lower() for t in _HASHTAG.findall(text)}
    fresh = [t for t in dict.fromkeys(tags) if t.lower() not in seen]
    if fresh:
        styled = [t if rng.random() < 0.6 else t.capitalize() for t in fresh]
        text += " " + " ".join(f"#{t}" for t in styled)
    return text
