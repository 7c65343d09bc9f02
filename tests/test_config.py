"""Workspace settings: typed, documented, strict about unknown keys, secrets by indirection."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from resonanz.config import Settings, parse_settings
from resonanz.errors import ConfigError, SecretError
from resonanz.secrets import Secret
from resonanz.vault import Vault
from resonanz.workspace import example_config


def test_example_config_parses() -> None:
    settings = parse_settings(example_config())
    assert settings.topics["acme"].kind == "brand"


def test_unknown_key_is_named() -> None:
    with pytest.raises(ConfigError, match=r"unknown setting 'workspace.colour'"):
        parse_settings('[workspace]\ncolour = "red"\n')
    with pytest.raises(ConfigError, match=r"unknown setting 'topics.x.qeury'"):
        parse_settings('[topics.x]\nquery = "a"\nqeury = "b"\n')


def test_bad_values_are_named() -> None:
    with pytest.raises(ConfigError, match=r"workspace\.timezone"):
        parse_settings('[workspace]\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"topics\.x\.kind"):
        parse_settings('[topics.x]\nkind = "rumour"\nquery = "a"\n')


def _documented(field: FieldInfo) -> bool:
    ann = field.annotation
    return bool(field.description) or (
        isinstance(ann, type) and issubclass(ann, BaseModel) and bool(ann.__doc__)
    )


def _undocumented(model: type[BaseModel], prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, field in model.model_fields.items():
        if not _documented(field):
            out.append(prefix + name)
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_undocumented(ann, prefix + name + "."))
    return out


def test_every_setting_is_documented() -> None:
    missing = _undocumented(Settings)
    assert not missing, f"settings without a description: {missing}"


def test_secrets_only_by_indirection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError):
        parse_settings('[[sources]]\ntype = "mastodon"\ntoken = "plain-text"\n')
    with pytest.raises(ValueError):
        Secret.model_validate({"env": "A", "file": "b"})
    monkeypatch.setenv("MY_TOKEN", "s3cret")
    secret = Secret(env="MY_TOKEN")
    assert secret.reveal() == "s3cret"
    assert "s3cret" not in repr(secret)
    (tmp_path / "tok").write_text("from-file\n")
    assert Secret(file="tok").reveal(tmp_path) == "from-file"
    monkeypatch.delenv("MY_TOKEN")
    with pytest.raises(SecretError, match="MY_TOKEN is not set"):
        secret.reveal()


def test_vault_encrypts_at_rest(tmp_path: Path) -> None:
    vault = Vault(tmp_path)
    vault.set("mastodon", "tok-123456")
    assert b"tok-123456" not in (tmp_path / "secrets.enc").read_bytes()
    assert Secret(stored="mastodon").reveal(tmp_path) == "tok-123456"
    assert vault.names() == ["mastodon"]
