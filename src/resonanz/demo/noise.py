"""Make generated text look typed: tidy spacing and sentence case, then add human noise."""

from __future__ import annotations

import random
import re

_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE = re.compile(r"\s+([.,!?:;])")
_DOUBLE_STOP = re.compile(r"([!?])\.|\.\.(?!\.)|,\.|:\.")
_SENTENCE = re.compile(r"(^|[.!?]\s+)(\w)")
_WORD = re.compile(r"\b[^\W\d_]{5,}\b")

_DE_FOLD = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_EN_SLANG = (
    (re.compile(r"\byou\b(?!')"), "u"),
    (re.compile(r"\byour\b"), "ur"),
    (re.compile(r"\bgoing to\b"), "gonna"),
    (re.compile(r"\breally\b"), "rly"),
    (re.compile(r"\bthough\b"), "tho"),
)
_DE_SLANG = (
    (re.compile(r"\bnicht\b"), "nich"),
    (re.compile(r"\bhabe\b"), "hab"),
    (re.compile(r"\bist es\b"), "isses"),
    (re.compile(r"\bso\b"), "soo"),
)


def tidy(text: str) -> str:
    """Collapse spaces, fix punctuation left by empty slots and capitalise sentences."""
    text = _SPACES.sub(" ", text.strip())
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _DOUBLE_STOP.sub(lambda m: m.group(0)[0], text)
    text = text.lstrip(".,:; ")
    return _SENTENCE.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def roughen(text: str, rng: random.Random, lang: str) -> str:
    """Add the noise of real posts: casing, a typo, dropped stops, slang, folded umlauts."""
    roll = rng.random()
    if roll < 0.12:
        text = text.lower()
    elif roll < 0.14:
        text = text.upper() if len(text) < 80 else text
    if rng.random() < 0.12:
        text = _typo(text, rng)
    if rng.random() < 0.25 and text.endswith("."):
        text = text[:-1]
    elif rng.random() < 0.08 and text.endswith(("!", "?")):
        text += text[-1] * rng.randrange(1, 3)
    if lang == "de":
        if rng.random() < 0.04:
            for plain, folded in _DE_FOLD:
                text = text.replace(plain, folded)
        text = _slang(text, rng, _DE_SLANG, 0.15)
    else:
        text = _slang(text, rng, _EN_SLANG, 0.2)
    return text


def _slang(
    text: str, rng: random.Random, rules: tuple[tuple[re.Pattern[str], str], ...], p: float
) -> str:
    for pattern, short in rules:
        if rng.random() < p:
            text = pattern.sub(short, text, count=1)
    return text


def _typo(text: str, rng: random.Random) -> str:
    """Swap, drop or double one letter inside one longer word."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = words[rng.randrange(len(words))]
    word = match.group(0)
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    elif kind == 1:
        new = word[:i] + word[i + 1 :]
    else:
        new = word[:i] + word[i] + word[i:]
    return text[: match.start()] + new + text[match.end() :]
