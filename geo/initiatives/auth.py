"""Who may edit initiatives: OIDC through st.login when configured, else a staff password hash, else nobody.

Password hashes are scrypt, written as `scrypt$N$r$p$salt$hash` (hex); make one with
`python -m geo staff-password`. Nothing here imports Streamlit, so the rules are tested directly.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.initiatives.store import Actor

ENV_HASH = "PARKSTAD_STAFF_PASSWORD_HASH"
MAX_FAILURES = 5  # per session, then a pause
LOCK_SECONDS = 60


def hash_password(password: str, salt: bytes | None = None, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    if not password:
        raise ValueError("the password is empty")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = encoded.strip().split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(bytes.fromhex(expected)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), expected)


@dataclass(frozen=True)
class StaffConfig:
    mode: str  # "oidc", "password" or "off"
    password_hash: str | None = None
    allowed_emails: frozenset[str] = field(default_factory=frozenset)

    def actor_for_oidc_user(self, is_logged_in: bool, email: str | None) -> Actor | None:
        if self.mode != "oidc" or not is_logged_in or not email:
            return None
        if self.allowed_emails and email.lower() not in self.allowed_emails:
            return None
        return Actor(f"oidc:{email.lower()}")

    def actor_for_password(self, password: str) -> Actor | None:
        if self.mode != "password" or not self.password_hash or not verify_password(password, self.password_hash):
            return None
        return Actor("staff-password")


def staff_config(secrets_: Mapping, environ: Mapping[str, str] = os.environ) -> StaffConfig:
    """OIDC when secrets.toml has an [auth] section with a client id; else a password hash; else off."""
    auth = secrets_.get("auth") if isinstance(secrets_, Mapping) else None
    if isinstance(auth, Mapping) and (auth.get("client_id") or any(isinstance(v, Mapping) for v in auth.values())):
        emails = secrets_.get("staff_emails") or []
        return StaffConfig("oidc", allowed_emails=frozenset(str(e).lower() for e in emails))
    hashed = environ.get(ENV_HASH) or (secrets_.get("staff_password_hash") if isinstance(secrets_, Mapping) else None)
    if hashed and str(hashed).startswith("scrypt$"):
        return StaffConfig("password", password_hash=str(hashed))
    return StaffConfig("off")
