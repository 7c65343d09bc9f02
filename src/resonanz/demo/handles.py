"""Invent names and platform handles that look like the people who use each network."""

from __future__ import annotations

import random

FIRST_DE = (
    "Jana",
    "Lukas",
    "Miriam",
    "Tobias",
    "Anke",
    "Jonas",
    "Sabine",
    "Felix",
    "Leonie",
    "Mehmet",
    "Katrin",
    "Stefan",
    "Hanna",
    "Nils",
    "Ayşe",
    "Jörg",
    "Lea",
    "Paul",
    "Friederike",
    "Timo",
    "Petra",
    "Malte",
    "Sophie",
    "Dominik",
    "Carla",
    "Uwe",
    "Emma",
    "Björn",
    "Nina",
    "Kai",
)
FIRST_EN = (
    "Emily",
    "James",
    "Olivia",
    "Noah",
    "Priya",
    "Liam",
    "Chloe",
    "Ethan",
    "Grace",
    "Lucas",
    "Maya",
    "Owen",
    "Hannah",
    "Daniel",
    "Zoe",
    "Sam",
    "Aisha",
    "Ben",
    "Laura",
    "Ryan",
    "Sofia",
    "Jack",
    "Ava",
    "Leo",
    "Mia",
    "Tom",
    "Ella",
    "Max",
    "Ruby",
    "Alex",
)
LAST_DE = (
    "Müller",
    "Schmidt",
    "Becker",
    "Wagner",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Krüger",
    "Hartmann",
    "Lange",
    "Werner",
    "Kessler",
    "Yılmaz",
    "Brandt",
    "Vogel",
    "Jansen",
    "Peters",
    "Kaiser",
    "Fuchs",
    "Scholz",
)
LAST_EN = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Clarke",
    "Patel",
    "Evans",
    "Turner",
    "Hughes",
    "Baker",
    "Reed",
    "Ward",
    "Murphy",
    "Kim",
    "Lopez",
    "Khan",
)
NICK_DE = (
    "radlerin",
    "pedalritter",
    "kettenfett",
    "lastenradpapa",
    "rheinpendler",
    "speichenliebe",
    "gegenwind",
    "radweg_jetzt",
    "veloheld",
    "akku_leer",
    "bergauf",
    "sattelfest",
    "freilauf",
    "rollt",
    "tretlager",
    "stadtradler",
    "kopfsteinpflaster",
    "zweirad",
)
NICK_EN = (
    "pedalpusher",
    "bikecommuter",
    "chainlube",
    "cargodad",
    "spokesandcoffee",
    "headwind",
    "twowheels",
    "ebike_nerd",
    "uphillbattle",
    "saddlesore",
    "freewheel",
    "velo_fan",
    "torque_talk",
    "gearhead",
    "citycyclist",
    "mudguard",
)
INSTANCES = (
    "mastodon.social",
    "chaos.social",
    "norden.social",
    "mastodon.online",
    "troet.cafe",
    "social.tchncs.de",
    "mstdn.social",
    "hachyderm.io",
)
BOT_WORDS = ("deals", "sale", "akku", "ebike", "bargain", "promo", "shop", "discount")


def _ascii(text: str) -> str:
    table = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ş": "s", "ı": "i"})
    return text.lower().translate(table)


class HandleMaker:
    """Make unique handles per platform from a seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[tuple[str, str]] = set()

    def person(self, platform: str, lang: str, group: str) -> tuple[str, str]:
        """Return a fresh (handle, display name) for someone on ``platform``."""
        rng = self.rng
        first = rng.choice(FIRST_DE if lang == "de" else FIRST_EN)
        last = rng.choice(LAST_DE if lang == "de" else LAST_EN)
        nick = rng.choice(NICK_DE if lang == "de" else NICK_EN)
        if group == "bot":
            user = f"{rng.choice(BOT_WORDS)}_{rng.choice(BOT_WORDS)}{rng.randrange(10, 999)}"
            display = user.replace("_", " ").title()
        else:
            user = self._username(first, last, nick)
            display = self._display(first, last, nick)
        handle = self._format(platform, user)
        suffix = 2
        while (platform, handle) in self.taken:
            handle = self._format(platform, f"{user[:12]}{suffix}")
            suffix += 1
        self.taken.add((platform, handle))
        return handle, display

    def _username(self, first: str, last: str, nick: str) -> str:
        rng = self.rng
        f, s = _ascii(first), _ascii(last)
        pattern = rng.randrange(7)
        if pattern == 0:
            return f"{f}{s[0]}"
        if pattern == 1:
            return f"{f}_{s}"
        if pattern == 2:
            return f"{f}.{s}{rng.randrange(70, 99)}"
        if pattern == 3:
            return nick
        if pattern == 4:
            return f"{nick}{rng.randrange(1, 99)}"
        if pattern == 5:
            return f"{f[0]}{s}"
        return f"{nick}_{f}"

    def _display(self, first: str, last: str, nick: str) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            return f"{first} {last}"
        if roll < 0.7:
            return f"{first} 🚲"
        if roll < 0.85:
            return first
        return nick.replace("_", " ").title()

    def _format(self, platform: str, user: str) -> str:
        if platform == "mastodon":
            return f"{user}@{self.rng.choice(INSTANCES)}"
        if platform == "bluesky":
            return f"{user.replace('_', '-').replace('.', '-')}.bsky.social"
        if platform == "reddit":
            return user.replace(".", "_").title() if self.rng.random() < 0.4 else user
        return user.replace(".", "").replace("_", "")[:15]
