"""Secrets stored encrypted at rest in the workspace (Fernet, key outside the database).

The key comes from ``RESONANZ_SECRET_KEY`` or the file ``.resonanz-key`` in the workspace
(created with mode 0600 on first use). Values are never logged or exported.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from resonanz.errors import SecretError

KEY_ENV = "RESONANZ_SECRET_KEY"
KEY_FILE = ".resonanz-key"
VAULT_FILE = "secrets.enc"


class Vault:
    """A small encrypted key/value file of secrets in one workspace."""

    def __init__(self, workspace: Path) -> None:
        self.workspace = workspace
        self.path = workspace / VAULT_FILE

    def _fernet(self, create: bool) -> Fernet:
        key = os.environ.get(KEY_ENV)
        if not key:
            key_path = self.workspace / KEY_FILE
            if key_path.exists():
                key = key_path.read_text(encoding="ascii").strip()
            elif create:
                key = Fernet.generate_key().decode("ascii")
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w", encoding="ascii") as fh:
                    fh.write(key)
            else:
                raise SecretError(
                    f"no secret key: set {KEY_ENV} or restore {key_path} "
                    "(store secrets with `resonanz secret set NAME`)"
                )
        return Fernet(key.encode("ascii"))

    def _load(self, create: bool) -> dict[str, str]:
        if not self.path.exists():
            return {}
        try:
            data = self._fernet(create).decrypt(self.path.read_bytes())
        except InvalidToken:
            raise SecretError(
                f"cannot decrypt {self.path}: the secret key does not match"
            ) from None
        return dict(json.loads(data))

    def names(self) -> list[str]:
        """Return the names of the stored secrets (never their values)."""
        return sorted(self._load(create=False))

    def get(self, name: str) -> str:
        """Return a stored secret's value."""
        values = self._load(create=False)
        if name not in values:
            raise SecretError(
                f"no stored secret {name!r}; add it with `resonanz secret set {name}`"
            )
        return values[name]

    def set(self, name: str, value: str) -> None:
        """Store or replace a secret, encrypted."""
        values = self._load(create=True)
        values[name] = value
        token = self._fernet(create=True).encrypt(json.dumps(values).encode("utf-8"))
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(token)
        os.replace(tmp, self.path)

    def delete(self, name: str) -> bool:
        """Remove a stored secret; return whether it existed."""
        values = self._load(create=False)
        if values.pop(name, None) is None:
            return False
        token = self._fernet(create=True).encrypt(json.dumps(values).encode("utf-8"))
        self.path.write_bytes(token)
        return True
