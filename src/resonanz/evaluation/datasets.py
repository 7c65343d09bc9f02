"""Load the labelled research sets in ``../shared/data`` into plain text/label lists.

These sets are for evaluation and for the adaptation path only (see each PROVENANCE.md);
they never train a shipped default model.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from resonanz.errors import ResonanzError

_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")
_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_NON_WORD = re.compile(r"[\W_]+")

#: SemEval 2013–2016 files that form the SemEval-2017 task 4A training pool.
SEMEVAL_POOL = (
    "twitter-2013train-A.tsv",
    "twitter-2013dev-A.tsv",
    "twitter-2013test-A.tsv",
    "twitter-2014test-A.tsv",
    "twitter-2014sarcasm-A.tsv",
    "twitter-2015train-A.tsv",
    "twitter-2015test-A.tsv",
    "twitter-2016train-A.tsv",
    "twitter-2016dev-A.tsv",
    "twitter-2016devtest-A.tsv",
    "twitter-2016test-A.tsv",
)
SB10K_SEED = 13
SB10K_TEST_SHARE = 0.2


class DatasetMissing(ResonanzError):
    """A research set is not where ``--data-dir`` points."""


@dataclass
class Split:
    """Texts with one label each (``labels``) or a list of labels each (``multi``)."""

    texts: list[str]
    labels: list[str] = field(default_factory=list)
    multi: list[list[str]] = field(default_factory=list)


def _need(path: Path) -> Path:
    if not path.exists():
        raise DatasetMissing(
            f"{path} not found; pass --data-dir pointing at the shared data folder"
        )
    return path


def _lines(path: Path) -> Iterator[str]:
    with _need(path).open(encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\n")


def tweet_key(text: str) -> str:
    """Return a normalised form of a tweet for overlap checks.

    Escapes, HTML entities, mentions, URLs, case and punctuation are ignored, and only the
    first 50 letters and digits count, so cropped and re-rendered copies match too.
    """
    text = html.unescape(_UESC.sub(lambda m: chr(int(m.group(1), 16)), text)).lower()
    text = _URL.sub("", _MENTION.sub("", text))
    return _NON_WORD.sub("", text)[:50]


def germeval(data_dir: Path, split: str) -> list[dict[str, object]]:
    """Return GermEval 2017 documents of ``split`` (dev, test_syn) as dicts."""
    path = data_dir / "germeval2017_absa" / f"{split}-2017-09-15.jsonl"
    return [json.loads(line) for line in _lines(path) if line.strip()]


def germeval_aspects(doc: dict[str, object]) -> list[str]:
    """Return the document's ``Category:polarity`` labels (GermEval subtask C)."""
    found: list[str] = []
    for op in doc.get("opinions") or []:  # type: ignore[attr-defined]
        label = f"{op['category'].split('#')[0]}:{op['polarity'].strip()}"
        if label not in found:
            found.append(label)
    return found


def semeval_pool(data_dir: Path, exclude: set[str]) -> Split:
    """Return the SemEval 2013–2016 pool minus duplicates and tweets whose key is in ``exclude``."""
    folder = data_dir / "semeval2017_task4a_en"
    seen = set(exclude)
    out = Split(texts=[])
    for name in SEMEVAL_POOL:
        for line in _lines(folder / name):
            parts = line.split("\t")
            if len(parts) < 3 or parts[1] not in ("positive", "neutral", "negative"):
                continue
            text = _UESC.sub(lambda m: chr(int(m.group(1), 16)), parts[2])
            key = tweet_key(text)
            if key in seen or text == "Not Available":
                continue
            seen.add(key)
            out.texts.append(text)
            out.labels.append(parts[1])
    return out


def tweeteval_sentiment(data_dir: Path, split: str = "val") -> Split:
    """Return TweetEval sentiment ``split`` (val or test) with label names."""
    folder = data_dir / "tweeteval_sentiment"
    names = ["negative", "neutral", "positive"]
    texts = list(_lines(folder / f"{split}_text.txt"))
    labels = [names[int(x)] for x in _lines(folder / f"{split}_labels.txt")]
    return Split(texts=texts, labels=labels)


def semeval_test_keys(data_dir: Path) -> set[str]:
    """Return the keys of the SemEval-2017 test tweets (kept out of any training pool)."""
    path = data_dir / "semeval2017_task4a_en" / "SemEval2017-task4-test.subtask-A.english.txt"
    if not path.exists():
        return set()
    return {tweet_key(p.split("\t")[2]) for p in _lines(path) if p.count("\t") >= 2}


def sb10k(data_dir: Path) -> tuple[Split, Split]:
    """Return the fixed seeded stratified (train, test) split of SB10k's usable rows."""
    by_label: dict[str, list[str]] = {}
    for line in _lines(data_dir / "sb10k" / "sb10k_corpus.tsv"):
        parts = line.split("\t")
        if len(parts) < 5 or parts[4].strip() in ("", "Not Available"):
            continue
        by_label.setdefault(parts[1], []).append(parts[4])
    train, test = Split(texts=[]), Split(texts=[])
    rng = random.Random(SB10K_SEED)
    for label in sorted(by_label):
        rows = sorted(by_label[label])
        rng.shuffle(rows)
        cut = round(len(rows) * SB10K_TEST_SHARE)
        for i, text in enumerate(rows):
            target = test if i < cut else train
            target.texts.append(text)
            target.labels.append(label)
    return train, test


def goemotions(data_dir: Path, split: str) -> Split:
    """Return GoEmotions ``split`` with every row's list of label names in ``multi``."""
    folder = data_dir / "goemotions"
    names = list(_lines(folder / "labels.txt"))
    out = Split(texts=[])
    for line in _lines(folder / f"{split}.tsv"):
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        out.texts.append(parts[0])
        out.multi.append([names[int(i)] for i in parts[1].split(",") if i])
    return out


def tweeteval_emotion(data_dir: Path, split: str) -> Split:
    """Return TweetEval emotion ``split`` (anger, joy, optimism, sadness)."""
    folder = data_dir / "tweeteval_emotion"
    names = [line.split("\t")[-1].strip() for line in _lines(folder / "mapping.txt")]
    texts = list(_lines(folder / f"{split}_text.txt"))
    labels = [names[int(x)] for x in _lines(folder / f"{split}_labels.txt")]
    return Split(texts=texts, labels=labels)
