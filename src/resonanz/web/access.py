"""Who may use which route: one declarative table, checked on every request."""

from __future__ import annotations

from typing import Final

from resonanz.web.users import ROLES

EVERYONE: Final = frozenset(ROLES)
ANALYSTS: Final = frozenset({"admin", "analyst"})
RESPONDERS: Final = frozenset({"admin", "responder"})
PLANNERS: Final = frozenset({"admin", "analyst", "responder"})
ADMINS: Final = frozenset({"admin"})
PUBLIC: Final = frozenset({"*"})

#: Route name → roles allowed. A route missing here is refused for everyone.
ACCESS: Final[dict[str, frozenset[str]]] = {
    # no login needed
    "login": PUBLIC,
    "login_submit": PUBLIC,
    "logout": PUBLIC,
    "static": PUBLIC,
    "health": PUBLIC,
    # reading: every role
    "overview": EVERYONE,
    "language": EVERYONE,
    "listening": EVERYONE,
    "query_check": EVERYONE,
    "mentions_export": EVERYONE,
    "post_detail": EVERYONE,
    "sentiment": EVERYONE,
    "feedback": EVERYONE,
    "competitors": EVERYONE,
    "trends": EVERYONE,
    "leaders": EVERYONE,
    "cascades": EVERYONE,
    "alerts": EVERYONE,
    "inbox": EVERYONE,
    "calendar": EVERYONE,
    "campaigns": EVERYONE,
    "reports": EVERYONE,
    "report_download": EVERYONE,
    # changing the analysis
    "topic_save": ANALYSTS,
    "post_correct": ANALYSTS,
    "corrections_export": ANALYSTS,
    # answering people
    "inbox_action": RESPONDERS,
    # planning our own posts; approving them is for admins
    "calendar_save": PLANNERS,
    "calendar_approve": ADMINS,
    # the workspace itself
    "settings": ADMINS,
    "settings_topic_delete": ADMINS,
    "settings_credential": ADMINS,
    "settings_user_add": ADMINS,
    "settings_user_remove": ADMINS,
    "settings_token_create": ADMINS,
}

#: API route name → token roles allowed (tokens may also carry the role ``shop``).
API_ACCESS: Final[dict[str, frozenset[str]]] = {
    "api_openapi": PUBLIC,
    "api_stats": EVERYONE,
    "api_insight": EVERYONE,
    "api_mentions": EVERYONE,
    "api_topics": EVERYONE,
    "api_inbox": EVERYONE,
    "api_conversion": frozenset({"admin", "shop"}),
}


def allowed(name: str, role: str | None, table: dict[str, frozenset[str]] = ACCESS) -> bool:
    """Return True when ``role`` (None: not logged in) may use route ``name``."""
    roles = table.get(name)
    if roles is None:
        return False
    return "*" in roles or (role is not None and role in roles)
