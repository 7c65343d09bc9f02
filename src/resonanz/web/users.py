"""Dashboard users and API tokens: argon2 password hashes, roles, token digests."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from resonanz.errors import ResonanzError
from resonanz.records import utcnow

ROLES: Final = ("admin", "analyst", "responder", "viewer")
#: API tokens may also carry this role: it may only report conversions.
TOKEN_ROLES: Final = (*ROLES, "shop")
MIN_PASSWORD = 8

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Hash a random password once (on the first failed login, not at import).

    It is verified when a username is unknown, so that the time a failed login takes
    does not tell whether the user exists.
    """
    return _HASHER.hash(secrets.token_urlsafe(16))


class UserError(ResonanzError):
    """A user or token could not be created or changed."""


@dataclass(frozen=True)
class User:
    """A dashboard user (never carries the password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    session_epoch: int
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class ApiToken:
    """An API token's public facts; the secret is shown once at creation."""

    id: str
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


_USER_COLS = "id, username, display_name, role, session_epoch, created_at, last_login_at"


def _user(row: tuple[object, ...]) -> User:
    uid, name, display, role, epoch, created, last = row
    return User(
        int(str(uid)),
        str(name),
        str(display or name),
        str(role),
        int(str(epoch)),
        created,  # type: ignore[arg-type]
        last,  # type: ignore[arg-type]
    )


def _check_role(role: str, allowed: tuple[str, ...] = ROLES) -> None:
    if role not in allowed:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(allowed)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")


def add_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
) -> User:
    """Create a user; raise :class:`UserError` when the name is taken or input is bad."""
    _check_role(role)
    _check_password(password)
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise UserError("a username is 1-64 characters without spaces")
    if get_user(con, username) is not None:
        raise UserError(f"user {username!r} exists; change it with `resonanz users passwd`")
    con.execute(
        "INSERT INTO web_users (username, display_name, role, password_hash, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [username, display_name or username, role, _HASHER.hash(password), utcnow()],
    )
    user = get_user(con, username)
    assert user is not None
    return user


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    """Return the user called ``username``, or None."""
    row = con.execute(
        f"SELECT {_USER_COLS} FROM web_users WHERE username = ?",  # noqa: S608
        [username],
    ).fetchone()
    return None if row is None else _user(row)


def user_by_id(con: duckdb.DuckDBPyConnection, user_id: int) -> User | None:
    """Return the user with ``user_id``, or None."""
    row = con.execute(
        f"SELECT {_USER_COLS} FROM web_users WHERE id = ?",  # noqa: S608
        [user_id],
    ).fetchone()
    return None if row is None else _user(row)


def list_users(con: duckdb.DuckDBPyConnection) -> list[User]:
    """Return every user, by name."""
    rows = con.execute(
        f"SELECT {_USER_COLS} FROM web_users ORDER BY username"  # noqa: S608
    ).fetchall()
    return [_user(r) for r in rows]


def remove_user(con: duckdb.DuckDBPyConnection, username: str) -> bool:
    """Delete a user; return False when there was none."""
    if get_user(con, username) is None:
        return False
    con.execute("DELETE FROM web_users WHERE username = ?", [username])
    return True


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    """Change a password and end the user's open sessions."""
    _check_password(password)
    if get_user(con, username) is None:
        raise UserError(f"no user {username!r}; list them with `resonanz users list`")
    con.execute(
        "UPDATE web_users SET password_hash = ?, session_epoch = session_epoch + 1 "
        "WHERE username = ?",
        [_HASHER.hash(password), username],
    )


def set_role(con: duckdb.DuckDBPyConnection, username: str, role: str) -> None:
    """Change a user's role and end the user's open sessions."""
    _check_role(role)
    con.execute(
        "UPDATE web_users SET role = ?, session_epoch = session_epoch + 1 WHERE username = ?",
        [role, username],
    )


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """Return the user when the password is right, else None (in about constant time)."""
    row = con.execute(
        "SELECT id, password_hash FROM web_users WHERE username = ?", [username]
    ).fetchone()
    stored = str(row[1]) if row else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _HASHER.check_needs_rehash(stored):
        con.execute(
            "UPDATE web_users SET password_hash = ? WHERE id = ?", [_HASHER.hash(password), row[0]]
        )
    con.execute("UPDATE web_users SET last_login_at = ? WHERE id = ?", [utcnow(), row[0]])
    return user_by_id(con, int(str(row[0])))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(con: duckdb.DuckDBPyConnection, name: str, role: str) -> tuple[ApiToken, str]:
    """Create an API token; return it and its secret (shown once, stored only as a digest)."""
    _check_role(role, TOKEN_ROLES)
    token_id = "rz_" + secrets.token_hex(4)
    secret = f"{token_id}.{secrets.token_urlsafe(32)}"
    con.execute(
        "INSERT INTO web_api_tokens (id, name, role, token_sha256, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [token_id, name, role, _digest(secret), utcnow()],
    )
    tokens = {t.id: t for t in list_tokens(con)}
    return tokens[token_id], secret


def list_tokens(con: duckdb.DuckDBPyConnection) -> list[ApiToken]:
    """Return every API token (without secrets)."""
    rows = con.execute(
        "SELECT id, name, role, created_at, last_used_at, revoked FROM web_api_tokens "
        "ORDER BY created_at"
    ).fetchall()
    return [ApiToken(str(r[0]), str(r[1]), str(r[2]), r[3], r[4], bool(r[5])) for r in rows]


def revoke_token(con: duckdb.DuckDBPyConnection, token_id: str) -> bool:
    """Revoke a token; return False when there was none."""
    row = con.execute("SELECT 1 FROM web_api_tokens WHERE id = ?", [token_id]).fetchone()
    con.execute("UPDATE web_api_tokens SET revoked = true WHERE id = ?", [token_id])
    return row is not None


def token_role(con: duckdb.DuckDBPyConnection, secret: str) -> tuple[str, str] | None:
    """Return ``(token id, role)`` of a valid, unrevoked token secret, or None."""
    token_id = secret.split(".", 1)[0]
    row = con.execute(
        "SELECT token_sha256, role, revoked FROM web_api_tokens WHERE id = ?", [token_id]
    ).fetchone()
    if row is None or bool(row[2]) or not hmac.compare_digest(str(row[0]), _digest(secret)):
        return None
    con.execute("UPDATE web_api_tokens SET last_used_at = ? WHERE id = ?", [utcnow(), token_id])
    return token_id, str(row[1])


def ensure_user(
    con: duckdb.DuckDBPyConnection, username: str, role: str
) -> tuple[User, str | None]:
    """Return the user, creating it with a fresh random password (returned) when absent."""
    found = get_user(con, username)
    if found is not None:
        return found, None
    password = secrets.token_urlsafe(9)
    return add_user(con, username, password, role), password
