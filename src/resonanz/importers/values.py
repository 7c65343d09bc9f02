"""Coerce loosely typed input values (JSON, CSV cells, Parquet cells) into record values.

Every coercion either returns a clean value or raises :class:`RecordError` with a reason
that ends up in the quarantine table.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

import orjson

#: Posts dated outside these years are rejected as unparsable rather than stored.
MIN_YEAR: Final = 1990
MAX_YEAR: Final = 2100
_TWITTER_FORMAT: Final = "%a %b %d %H:%M:%S %z %Y"
_EPOCH_MS_ABOVE: Final = 100_000_000_000  # larger epoch numbers are milliseconds

# The look-behinds come after the literal so the engine only tries them at a # or @.
_HASHTAG = re.compile(r"#(?<![\w&/#]#)(\w[\w-]*)")
_MENTION = re.compile(
    r"@(?<![\w/@]@)([A-Za-z0-9_][A-Za-z0-9_.-]*(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)"
)
_LINK = re.compile(r"https?://[^\s<>\"']+")
_LINK_TAIL: Final = ".,;:!?)]}"
_SPLIT = re.compile(r"[\s,;]+")
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "no", "n", "f", ""})


class RecordError(ValueError):
    """One input record cannot be stored; the message is the quarantine reason."""


def text_value(value: object, name: str) -> str | None:
    """Return a string field (numbers become strings); empty strings become None."""
    if value is None:
        return None
    if value.__class__ is str:
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"{name} must be a string, got {type(value).__name__}")


def id_value(value: object, name: str) -> str | None:
    """Return a post id as a string (integers are accepted, floats only when whole)."""
    if value is None:
        return None
    if value.__class__ is str:
        return value.strip() or None
    if isinstance(value, float):
        if not value.is_integer():
            raise RecordError(f"{name} must be a string or whole number, got {value!r}")
        value = int(value)
    text = text_value(value, name)
    return text.strip() if text else None


def handle_value(value: object, name: str) -> str | None:
    """Return a handle without a leading ``@``."""
    text = text_value(value, name)
    if text is None:
        return None
    text = text.strip().lstrip("@")
    return text or None


def int_value(value: object, name: str) -> int | None:
    """Return a non-negative whole number; accept integral floats and digit strings."""
    if value is None:
        return None
    if value.__class__ is int and value >= 0:
        return value
    if isinstance(value, bool):
        raise RecordError(f"{name} must be a whole number, got a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        stripped = value.strip().replace("_", "")
        if not stripped:
            return None
        try:
            number = int(float(stripped)) if "." in stripped else int(stripped)
        except ValueError:
            raise RecordError(f"{name} must be a whole number, got {value[:40]!r}") from None
    else:
        raise RecordError(f"{name} must be a whole number, got {str(value)[:40]!r}")
    if number < 0:
        raise RecordError(f"{name} must not be negative, got {number}")
    return number


def bool_value(value: object, name: str) -> bool | None:
    """Return a boolean from true/false, 1/0, yes/no."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise RecordError(f"{name} must be true or false, got {str(value)[:40]!r}")


def list_value(value: object, name: str, strip: str = "") -> list[str] | None:
    """Return a list of strings from a list or a space/comma separated string."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = orjson.loads(stripped)
            except orjson.JSONDecodeError:
                raise RecordError(f"{name} is not a valid JSON list") from None
        else:
            value = [part for part in _SPLIT.split(stripped) if part]
    if not isinstance(value, list | tuple):
        raise RecordError(f"{name} must be a list of strings, got {type(value).__name__}")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise RecordError(f"{name} must be a list of strings, found {type(item).__name__}")
        item = item.strip().lstrip(strip) if strip else item.strip()
        if item:
            items.append(item)
    return items


def timestamp_value(value: object, name: str) -> datetime | None:
    """Parse ISO 8601, RFC 2822, Twitter-style or Unix epoch (s or ms) times into UTC.

    Times without a zone are taken as UTC.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        parsed = _from_epoch(float(value), name)
    elif isinstance(value, str):
        parsed = _parse_text_time(value.strip(), name)
    else:
        raise RecordError(f"unparsable {name}: {str(value)[:40]!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    elif parsed.tzinfo is not UTC:
        parsed = parsed.astimezone(UTC)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise RecordError(f"{name} {parsed.isoformat()} is outside {MIN_YEAR}–{MAX_YEAR}")
    return parsed


def _from_epoch(number: float, name: str) -> datetime:
    if abs(number) >= _EPOCH_MS_ABOVE:
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        raise RecordError(f"unparsable {name}: {number!r}") from None


def _parse_text_time(text: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if text.replace(".", "", 1).isdigit():
        return _from_epoch(float(text), name)
    try:
        return datetime.strptime(text, _TWITTER_FORMAT)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise RecordError(f"unparsable {name}: {text[:40]!r}") from None


def extract_hashtags(text: str) -> list[str]:
    """Return the lower-cased ``#hashtags`` of a text, in order, without duplicates."""
    if "#" not in text:
        return []
    found = _HASHTAG.findall(text)
    if len(found) == 1:
        return [found[0].lower()]
    return list(dict.fromkeys(map(str.lower, found)))


def extract_mentions(text: str) -> list[str]:
    """Return the ``@handles`` mentioned in a text, without the ``@``."""
    if "@" not in text:
        return []
    found = _MENTION.findall(text)
    if len(found) == 1:
        return [found[0].rstrip(".-")]
    return list(dict.fromkeys(m.rstrip(".-") for m in found))


def extract_links(text: str) -> list[str]:
    """Return the http(s) links of a text, trailing punctuation removed."""
    if "http" not in text:
        return []
    found = _LINK.findall(text)
    if len(found) == 1:
        return [found[0].rstrip(_LINK_TAIL)]
    return list(dict.fromkeys(link.rstrip(_LINK_TAIL) for link in found))
