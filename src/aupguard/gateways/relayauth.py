"""The relay's SMTP AUTH users: a file of `login:scrypt$salt$hash` lines, kept by the operator."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from aupguard.errors import ConfigError

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~20 ms per check, once per SMTP session


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def _matches(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(hash_password(password, salt).split("$")[2], digest_hex)


class UserTable:
    """Logins and password hashes; the login is what the tenant map looks up (smtp_user)."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    @classmethod
    def load(cls, path: Path) -> UserTable:
        users: dict[str, str] = {}
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read the relay user table {path}: {exc.strerror}") from None
        for n, line in enumerate(lines, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            login, sep, stored = line.strip().partition(":")
            if not sep or not stored.startswith("scrypt$"):
                raise ConfigError(f"{path}:{n}: expected login:scrypt$salt$hash")
            users[login.lower()] = stored
        return cls(users)

    def verify(self, login: str, password: str) -> bool:
        stored = self.users.get(login.lower())
        if stored is None:
            _matches(password, hash_password("-"))  # same cost for unknown logins
            return False
        return _matches(password, stored)


def set_password(path: Path, login: str, password: str) -> None:
    """Add or replace one login in the table (created 0600)."""
    if not login or ":" in login or any(c.isspace() for c in login):
        raise ConfigError(f"{login!r} is not a valid login (no colon, no spaces)")
    users = UserTable.load(path).users if path.exists() else {}
    users[login.lower()] = hash_password(password)
    body = "".join(f"{u}:{h}\n" for u, h in sorted(users.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
