"""Run every evaluation: adapted models, shipped defaults and baselines side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from resonanz.enrich.adapt import train_task
from resonanz.enrich.context import BatchContext
from resonanz.enrich.heads import LinearHead
from resonanz.enrich.registry import EnrichPipeline
from resonanz.evaluation import baselines, datasets
from resonanz.evaluation.emotion_map import ekman
from resonanz.evaluation.metrics import accuracy, macro_f1, macro_recall, micro_f1_sets

NO_TRAIN = "official train split unavailable here: adapted models trained on dev only"


@dataclass(frozen=True)
class Result:
    """One figure: a system's score on a dataset task."""

    dataset: str
    task: str
    system: str
    metric: str
    value: float
    n: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return asdict(self)


def _single(head: LinearHead, texts: Sequence[str], lang: str) -> list[str]:
    ctx = BatchContext(texts, [lang] * len(texts))
    proba = head.proba(ctx.features, ctx.dense)
    return [head.labels[i] for i in proba.argmax(axis=1)]


def _shipped(texts: Sequence[str], lang: str, column: str) -> list[str]:
    cols = EnrichPipeline().columns(texts, [lang] * len(texts))
    return [str(v) for v in cols[column].to_pylist()]


def _aspect_sets(head: LinearHead, texts: Sequence[str]) -> list[list[str]]:
    from resonanz.enrich.aspects import AspectEnricher

    ctx = BatchContext(texts, ["de"] * len(texts))
    rows = AspectEnricher({}, head).apply(ctx)["aspects"].to_pylist()
    return [[f"{a['category']}:{a['polarity']}" for a in row] for row in rows]


def _chosen(head: LinearHead) -> str:
    """Return the note of an adapted head: its training data and the setting CV chose on it."""
    report = head.meta.get("cross_validation") or {}
    chosen = head.meta.get("chosen")
    trained = f"{NO_TRAIN} ({head.meta.get('data')}, no other labels)"
    if not chosen:
        return trained
    return f"{trained}; chosen on dev by 3-fold CV: {chosen} (CV {report.get(chosen)})"


def _categories(rows: Sequence[Sequence[str]]) -> list[list[str]]:
    return [[a.split(":")[0] for a in row] for row in rows]


def germeval(data_dir: Path) -> list[Result]:
    """GermEval 2017 subtasks A, B, C: train on dev, evaluate on test_syn (micro-F1)."""
    dev, test = datasets.germeval(data_dir, "dev"), datasets.germeval(data_dir, "test_syn")
    texts = [str(d["text"]) for d in test]
    out: list[Result] = []
    n = len(test)

    def add(task: str, system: str, value: float, note: str = NO_TRAIN) -> None:
        out.append(Result("germeval2017_test_syn", task, system, "micro_f1", value, n, note))

    gold_a = [str(d["relevance"]) for d in test]
    rel = [
        {"text": d["text"], "sentiment": "positive" if d["relevance"] == "true" else "negative"}
        for d in dev
    ]
    head = train_task("sentiment", rel)
    pred = ["true" if p == "positive" else "false" for p in _single(head, texts, "de")]
    add("A_relevance", "adapted", accuracy(gold_a, pred))
    add(
        "A_relevance",
        "majority",
        accuracy(gold_a, baselines.majority([str(d["relevance"]) for d in dev], n)),
    )
    gold_b = [str(d["sentiment"]) for d in test]
    head = train_task("sentiment", dev)
    add("B_sentiment", "adapted", accuracy(gold_b, _single(head, texts, "de")), _chosen(head))
    add(
        "B_sentiment",
        "shipped_default",
        accuracy(gold_b, _shipped(texts, "de", "sentiment")),
        "zero-shot",
    )
    add(
        "B_sentiment",
        "majority",
        accuracy(gold_b, baselines.majority([str(d["sentiment"]) for d in dev], n)),
    )
    blob = baselines.textblob_de(texts)
    if blob is not None:
        add("B_sentiment", "textblob_de", accuracy(gold_b, blob), "baseline")
    gold_c = [datasets.germeval_aspects(d) for d in test]
    records = [
        {
            "text": d["text"],
            "aspects": [
                dict(zip(("category", "polarity"), a.split(":"), strict=True))
                for a in datasets.germeval_aspects(d)
            ],
        }
        for d in dev
    ]
    pred_c = _aspect_sets(train_task("aspects", records), texts)
    add("C_aspect", "adapted", micro_f1_sets(_categories(gold_c), _categories(pred_c)))
    add("C_aspect_polarity", "adapted", micro_f1_sets(gold_c, pred_c))
    base = [["Allgemein:neutral"]] * n
    add("C_aspect", "majority", micro_f1_sets(_categories(gold_c), _categories(base)))
    add("C_aspect_polarity", "majority", micro_f1_sets(gold_c, base))
    return out


def tweeteval(data_dir: Path) -> list[Result]:
    """SemEval-2017 4A / TweetEval sentiment: 2013–2016 pool minus overlap → TweetEval val."""
    val = datasets.tweeteval_sentiment(data_dir, "val")
    exclude = {datasets.tweet_key(t) for t in val.texts} | datasets.semeval_test_keys(data_dir)
    pool = datasets.semeval_pool(data_dir, exclude)
    note = f"trained on {len(pool.texts)} pool tweets (val/test overlap removed)"
    records = [{"text": t, "sentiment": y} for t, y in zip(pool.texts, pool.labels, strict=True)]
    head = train_task("sentiment", records, balanced=True, c=3.0)
    n = len(val.texts)
    rows = [
        ("adapted", _single(head, val.texts, "en"), note),
        ("shipped_default", _shipped(val.texts, "en", "sentiment"), "zero-shot"),
        ("vader", baselines.vader(val.texts), "baseline"),
        ("majority", baselines.majority(pool.labels, n), "baseline"),
    ]
    return [
        Result(
            "tweeteval_sentiment_val",
            "sentiment",
            s,
            "macro_recall",
            macro_recall(val.labels, p),
            n,
            why,
        )
        for s, p, why in rows
    ]


def sb10k(data_dir: Path) -> list[Result]:
    """SB10k German tweets: fixed seeded stratified split (seed 13, 20 % test), macro-F1."""
    train, test = datasets.sb10k(data_dir)
    records = [{"text": t, "sentiment": y} for t, y in zip(train.texts, train.labels, strict=True)]
    head = train_task("sentiment", records, balanced=True)
    n = len(test.texts)
    note = f"seed {datasets.SB10K_SEED}, {len(train.texts)} train / {n} test"
    rows = [
        ("adapted", _single(head, test.texts, "de"), note),
        ("shipped_default", _shipped(test.texts, "de", "sentiment"), "zero-shot"),
        ("majority", baselines.majority(train.labels, n), "baseline"),
    ]
    blob = baselines.textblob_de(test.texts)
    if blob is not None:
        rows.append(("textblob_de", blob, "baseline"))
    return [
        Result("sb10k_test", "sentiment", s, "macro_f1", macro_f1(test.labels, p), n, why)
        for s, p, why in rows
    ]


def goemotions(data_dir: Path) -> list[Result]:
    """Shipped emotion model: GoEmotions test (Ekman mapping) and TweetEval emotion test."""
    test = datasets.goemotions(data_dir, "test")
    gold = [ekman(labels) for labels in test.multi]
    train = [ekman(labels) for labels in datasets.goemotions(data_dir, "train").multi]
    pred = _shipped(test.texts, "en", "emotion")
    n = len(gold)
    out = [
        Result(
            "goemotions_test",
            "emotion",
            "shipped_default",
            "macro_f1",
            macro_f1(gold, pred),
            n,
            "trained on GoEmotions train",
        ),
        Result(
            "goemotions_test",
            "emotion",
            "majority",
            "macro_f1",
            macro_f1(gold, baselines.majority(train, n)),
            n,
            "baseline",
        ),
    ]
    tweets = datasets.tweeteval_emotion(data_dir, "test")
    gold = ["joy" if y == "optimism" else y for y in tweets.labels]
    pred = _shipped(tweets.texts, "en", "emotion")
    n = len(gold)
    out.append(
        Result(
            "tweeteval_emotion_test",
            "emotion",
            "shipped_default",
            "macro_f1",
            macro_f1(gold, pred),
            n,
            "zero-shot; optimism counted as joy",
        )
    )
    out.append(
        Result(
            "tweeteval_emotion_test",
            "emotion",
            "majority",
            "macro_f1",
            macro_f1(gold, ["anger"] * n),
            n,
            "baseline",
        )
    )
    return out


EVALUATIONS: dict[str, Callable[[Path], list[Result]]] = {
    "germeval2017": germeval,
    "tweeteval": tweeteval,
    "sb10k": sb10k,
    "goemotions": goemotions,
}


def run(names: Sequence[str], data_dir: Path) -> list[Result]:
    """Run the named evaluations (all when empty) and return every figure."""
    chosen = list(names) or list(EVALUATIONS)
    out: list[Result] = []
    for name in chosen:
        out += EVALUATIONS[name](data_dir)
    return out


def shipped_sizes() -> dict[str, int]:
    """Return the byte sizes of the shipped model files."""
    from importlib import resources

    folder = resources.files("resonanz.enrich.models")
    return {
        p.name: len(p.read_bytes()) for p in folder.iterdir() if p.name.endswith((".npz", ".tsv"))
    }
