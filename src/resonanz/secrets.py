"""Secrets by indirection: ``{env = "NAME"}``, ``{file = "path"}`` or ``{stored = "name"}``.

A secret's value is only read when a connector needs it, never logged, and never part of a
``repr``. ``stored`` secrets live encrypted in the workspace (see ``resonanz.vault``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from resonanz.errors import SecretError


class Secret(BaseModel):
    """Where to find a secret value; exactly one of ``env``, ``file`` or ``stored``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str | None = Field(None, description="Name of an environment variable holding it.")
    file: str | None = Field(
        None, description="Path of a file holding it (relative to the workspace)."
    )
    stored: str | None = Field(
        None, description="Name of a secret stored encrypted in the workspace."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Secret:
        given = [k for k in ("env", "file", "stored") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                'a secret is written as {env = "NAME"}, {file = "path"} or {stored = "name"}'
            )
        return self

    def describe(self) -> str:
        """Say where the secret comes from, without its value."""
        if self.env:
            return f"environment variable {self.env}"
        if self.file:
            return f"file {self.file}"
        return f"stored secret {self.stored!r}"

    def reveal(self, workspace: Path | None = None) -> str:
        """Return the secret's value; raise :class:`SecretError` naming the fix."""
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise SecretError(f"environment variable {self.env} is not set")
            return value
        if self.file:
            path = Path(self.file).expanduser()
            if workspace is not None and not path.is_absolute():
                path = workspace / path
            try:
                return path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
        from resonanz.vault import Vault  # late: the vault needs the workspace

        if workspace is None:
            raise SecretError("stored secrets need a workspace")
        return Vault(workspace).get(str(self.stored))

    def __repr__(self) -> str:
        return f"Secret({self.describe()})"

    __str__ = __repr__
