"""Metrics and dataset loaders of the evaluation harness (small slices only)."""

from __future__ import annotations

from resonanz.evaluation import datasets
from resonanz.evaluation.metrics import accuracy, macro_f1, macro_recall, micro_f1_sets
from shared_datasets import shared_data


def test_metrics() -> None:
    gold, pred = ["a", "a", "b", "c"], ["a", "b", "b", "b"]
    assert accuracy(gold, pred) == 0.5
    assert abs(macro_recall(gold, pred) - (0.5 + 1 + 0) / 3) < 1e-9
    assert 0 < macro_f1(gold, pred) < 1
    assert micro_f1_sets([["x"], []], [["x"], ["y"]]) == 2 * 0.5 * 1 / 1.5


def test_loaders_read_the_shared_sets() -> None:
    folder = shared_data("germeval2017_absa").parent
    docs = datasets.germeval(folder, "dev")
    assert len(docs) == 2369
    assert all(":" in a for d in docs[:50] for a in datasets.germeval_aspects(d))
    train, test = datasets.sb10k(folder)
    assert len(train.texts) + len(test.texts) == 7095
    assert datasets.sb10k(folder)[1].texts == test.texts  # fixed seed, same split
    val = datasets.tweeteval_sentiment(folder, "val")
    assert len(val.texts) == len(val.labels) == 2000


def test_tweet_key_matches_re_rendered_copies() -> None:
    a = datasets.tweet_key("@Apple the new iPhone is great\\u2019s &amp; fast http://t.co/x")
    b = datasets.tweet_key("@user the new iPhone is great’s & fast")
    assert a == b
