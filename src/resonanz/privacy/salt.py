"""The workspace's privacy salt: hashes in the privacy log and stable export pseudonyms.

The salt lives in ``.resonanz-salt`` in the workspace folder (mode 0600, created on first
use) or comes from ``RESONANZ_PRIVACY_SALT``. It never leaves the workspace: without it,
neither a logged subject hash nor a pseudonym can be traced back to a handle.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Final

SALT_ENV: Final = "RESONANZ_PRIVACY_SALT"
SALT_FILE: Final = ".resonanz-salt"


def workspace_salt(folder: Path) -> bytes:
    """Return the workspace's salt, creating it on first use."""
    from_env = os.environ.get(SALT_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = folder / SALT_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip().encode("ascii")
    value = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile
        return path.read_text(encoding="ascii").strip().encode("ascii")
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value.encode("ascii")


def canonical_handle(handle: str) -> str:
    """Return the form of a handle that is hashed: no leading ``@``, lower case."""
    return handle.strip().lstrip("@").lower()


def _digest(salt: bytes, purpose: str, platform: str, handle: str) -> str:
    message = f"{purpose}\x00{platform}\x00{canonical_handle(handle)}".encode()
    return hmac.new(salt, message, hashlib.sha256).hexdigest()


def subject_hash(salt: bytes, platform: str, handle: str) -> str:
    """Return the salted hash that stands for a person in the privacy log."""
    return _digest(salt, "subject", platform, handle)


class Pseudonymiser:
    """Replace handles by stable pseudonyms such as ``anon-3f9a0c…`` (same handle, same name).

    Pseudonyms use a different derivation than :func:`subject_hash`, so an export cannot
    be joined with the privacy log.
    """

    def __init__(self, salt: bytes) -> None:
        self._salt = salt
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, platform: str, handle: str | None) -> str | None:
        """Return the pseudonym of ``handle`` on ``platform`` (None stays None)."""
        if handle is None:
            return None
        key = (platform, handle)
        known = self._cache.get(key)
        if known is None:
            known = "anon-" + _digest(self._salt, "pseudonym", platform, handle)[:16]
            self._cache[key] = known
        return known
