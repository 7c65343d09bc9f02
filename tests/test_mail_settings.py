"""One SMTP settings table shape for alerts and reports."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from resonanz.alerts.settings import AlertSettings
from resonanz.web.settings import WebSettings


@pytest.mark.parametrize("login_key", ["user", "username"])
def test_both_tables_accept_the_same_login_key(login_key: str) -> None:
    table = {"host": "mail.example.org", "port": 587, "starttls": True, login_key: "news"}
    alerts = AlertSettings.model_validate({"smtp": table})
    web = WebSettings.model_validate({"smtp": table})
    assert alerts.smtp.user == web.smtp.user == "news"
    assert alerts.smtp == web.smtp


def test_unknown_smtp_key_is_named() -> None:
    with pytest.raises(ValidationError, match="login"):
        WebSettings.model_validate({"smtp": {"login": "news"}})
