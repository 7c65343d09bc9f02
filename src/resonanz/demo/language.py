"""Write the text of one simulated post: grammar expansion, emojis, hashtags and noise.

The phrase grammars (``phrases/de.txt``, ``phrases/en.txt``) give the wording per intent,
sentiment and aspect; this module fills in the post's facts (product, numbers, links), adds
hashtags and emojis, and roughens the text the way people type (casing, typos, dropped
punctuation, slang spellings).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from resonanz.demo import grammar
from resonanz.demo.brand import Company, Product
from resonanz.demo.labels import INTENDED
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
#: How much each network's users decorate posts: (emoji chance, hashtag chance).
_STYLE = {"mastodon": (0.35, 1.0), "bluesky": (0.4, 0.7), "reddit": (0.12, 0.05)}
#: Slots written like a press release or a service reply: no noise, no decoration.
_PLAIN = ("news", "answer_question", "answer_complaint", "crisis_statement")


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
    platform: str = ""  # where it is posted (decoration differs); set by the world


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
    context = _Facts(spec, rng)
    used: list[str] = []
    text = tidy(gram.expand(spec.intent, rng, context, spec.aspect, used))
    if spec.intent not in _PLAIN:
        text = roughen(text, rng, spec.lang)
    text = _decorate(text, spec, rng)
    links = [v for k, v in context.held.items() if "://" in v and k in text]
    for key, value in context.held.items():
        text = text.replace(key, value)
    tags = [t.lower() for t in _HASHTAG.findall(text)]
    return Written(
        text=text,
        hashtags=list(dict.fromkeys(tags)),
        links=list(dict.fromkeys(links)),
        aspect_used=bool(used),
    )


class _Facts(dict[str, str]):
    """The post's context variables, each computed on first use (unused ones cost nothing)."""

    def __init__(self, spec: PostSpec, rng: random.Random) -> None:
        super().__init__()
        self.spec = spec
        self.rng = rng
        self.held: dict[str, str] = {}

    def __missing__(self, key: str) -> str:
        value = _MAKERS[key](self)
        self[key] = value
        return value

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        """Return one of ``options``."""
        return options[int(self.rng.random() * len(options))]

    def number(self, low: int, high: int) -> str:
        """Return a number in ``[low, high)`` as text."""
        return str(low + int(self.rng.random() * (high - low)))

    def hold(self, value: str) -> str:
        """Return a placeholder for ``value`` that noise cannot damage."""
        key = f"\x00{len(self.held)}\x00"
        self.held[key] = value
        return key

    @property
    def de(self) -> bool:
        """True for German posts."""
        return self.spec.lang == "de"


def _other_product(f: _Facts) -> str:
    company, prod = f.spec.company, f.spec.product
    if company is None or prod is None:
        return "Kranich"
    return f.pick([p.name for p in company.products if p.key != prod.key] or [prod.name])


def _rival_product(f: _Facts) -> str:
    rival = f.spec.rival
    return f.pick([p.full for p in rival.products]) if rival else "Spreeflug Aero"


def _kind(f: _Facts) -> str:
    prod = f.spec.product
    if prod is None:
        return "E-Bike" if f.de else "e-bike"
    return prod.kind_de if f.de else prod.kind_en


def _spam(f: _Facts) -> str:
    return f.hold(f"http://{f.pick(SPAM_DOMAINS)}/?ref={f.number(10**6, 10**7)}")


_MAKERS: dict[str, Callable[[_Facts], str]] = {
    "PN": lambda f: f.spec.product.name if f.spec.product else "Rad",
    "PN2": _other_product,
    "PF": lambda f: f.spec.product.full if f.spec.product else "Rad",
    "P": lambda f: f.pick(_forms_de(f.spec.product) if f.de else _forms_en(f.spec.product)),
    "PD": lambda f: f.pick(_dative_de(f.spec.product) if f.de else _forms_en(f.spec.product)),
    "KIND": _kind,
    "B": lambda f: f.spec.company.name if f.spec.company else "Rheinrad",
    "C": lambda f: f.spec.rival.name if f.spec.rival else "Spreeflug",
    "CP": _rival_product,
    "US": lambda f: f.spec.us or "@rheinrad",
    "km": lambda f: f.pick(("8", "12", "15", "18", "20", "22", "25", "30", "35", "40")),
    "km2": lambda f: f.number(4, 60) + "00",
    "km2short": lambda f: f.number(35, 140),
    "weeks": lambda f: f.number(2, 10),
    "days": lambda f: f.number(2, 15),
    "months": lambda f: f.number(2, 19),
    "hours": lambda f: f.number(2, 7),
    "pct": lambda f: f.number(15, 65),
    "range": lambda f: f.pick(("60", "70", "80", "90", "100", "120")),
    "price": lambda f: str(f.spec.product.price if f.spec.product else 2499),
    "n": lambda f: f.number(2, 6),
    "order": lambda f: f.number(100000, 999999),
    "city": lambda f: f.pick(CITIES if f.de else CITIES_EN),
    "name": lambda f: f.spec.name or ("du" if f.de else "there"),
    "agent": lambda f: f.pick(AGENTS),
    "link": lambda f: f.hold(f.spec.link or f"https://{_domain(f.spec.company)}/"),
    "code": lambda f: f.hold(f.spec.code or ""),
    "spamlink": _spam,
}


def _domain(company: Company | None) -> str:
    return company.domain if company else "rheinrad.example"


def _choose(rng: random.Random, options: tuple[str, ...] | list[str]) -> str:
    return options[int(rng.random() * len(options))]


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
    return [
        f"meinem {prod.name}",
        f"dem {prod.full}",
        f"dem {prod.name}",
        f"meinem neuen {prod.name}",
    ]


def _forms_en(prod: Product | None) -> list[str]:
    if prod is None:
        return ["my bike", "my e-bike"]
    return [f"my {prod.name}", f"the {prod.full}", f"my new {prod.name}", f"the {prod.name}"]


def _decorate(text: str, spec: PostSpec, rng: random.Random) -> str:
    """Append emojis and hashtags the way people do: often on Mastodon, never on Hacker News."""
    if spec.intent in _PLAIN or spec.platform in ("hackernews", "rss"):
        return text
    emoji_p, tag_p = _STYLE.get(spec.platform, (0.35, 1.0))
    if spec.intent.startswith(("reply_", "quote_")):
        tag_p *= 0.3
    intended = INTENDED.get(spec.intent)
    mood = intended.sentiment if intended else spec.sentiment
    pool = _EMOJI["fear" if spec.emotion == "fear" else mood]
    if rng.random() < emoji_p:
        text += " " + _choose(rng, pool) * (1 + (rng.random() < 0.25))
    tags = list(spec.extra_tags)
    if spec.company is not None and rng.random() < 0.3 * tag_p:
        tags.append(spec.company.hashtag)
        if spec.product is not None and rng.random() < 0.3:
            tags.append(spec.company.hashtag + spec.product.key)
    if rng.random() < 0.35 * tag_p:
        tags.append(_choose(rng, _TAGS[spec.lang]))
    cargo = spec.product is not None and spec.product.kind_en == "cargo bike"
    if cargo and rng.random() < 0.3 * tag_p:
        tags.append(_choose(rng, _CARGO_TAGS[spec.lang]))
    seen = {t.lower() for t in _HASHTAG.findall(text)}
    fresh = [t for t in dict.fromkeys(tags) if t.lower() not in seen]
    if fresh:
        styled = [t if rng.random() < 0.6 else t.capitalize() for t in fresh]
        text += " " + " ".join(f"#{t}" for t in styled)
    return text
