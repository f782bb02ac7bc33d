"""Who may edit initiatives: OIDC through st.login when configured, else named staff accounts (each with its own
password, geo.initiatives.accounts), else one shared staff password hash, else nobody.

Password hashes are scrypt, written as `scrypt$N$r$p$salt$hash` (hex); make one with
`python -m geo staff-password`, or an account with `python -m geo staff add NAME`. Nothing here imports Streamlit,
so the rules are tested directly.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from geo.initiatives.store import Actor
from geo.initiatives.throttle import Throttle

PASSWORD_ACCOUNT = "staff-password"  # noqa: S105 - the account name of password sign-in, not a password

ENV_HASH = "PARKSTAD_STAFF_PASSWORD_HASH"
# scrypt for new hashes: N=2^17, r=8, p=1 (OWASP Password Storage Cheat Sheet); 128 MiB and ~0.3 s per hash.
# Older hashes (N=2^14) stay verifiable: the parameters are part of each hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
MAX_SCRYPT_N = 2**20  # refuse to verify against absurd parameters (memory)


def _maxmem(n: int, r: int) -> int:
    return 2 * 128 * n * r + 1024 * 1024  # hashlib's default (32 MiB) is too small for N=2^17


def normalised(password: str) -> bytes:
    """The password as hashed: Unicode NFC, so that "é" typed as one character or as "e" + accent is the same."""
    return unicodedata.normalize("NFC", password).encode()


def hash_password(password: str, salt: bytes | None = None, n: int = SCRYPT_N, r: int = SCRYPT_R,
                  p: int = SCRYPT_P) -> str:
    if not password:
        raise ValueError("the password is empty")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(normalised(password), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=_maxmem(n, r))
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """Anything but a non-empty text is simply wrong (a list from a crafted message never crashes). The NFC form
    is tried first; a hash made before passwords were normalised also matches the form as typed."""
    if not isinstance(password, str) or not password or not isinstance(encoded, str):
        return False
    try:
        scheme, n, r, p, salt, expected = encoded.strip().split("$")
        n, r, p = int(n), int(r), int(p)
        if scheme != "scrypt" or not (2 <= n <= MAX_SCRYPT_N and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        forms = dict.fromkeys([normalised(password), password.encode()])  # NFC first; as typed for old hashes
        for form in forms:
            digest = hashlib.scrypt(form, salt=bytes.fromhex(salt), n=n, r=r, p=p,
                                    dklen=len(bytes.fromhex(expected)), maxmem=_maxmem(n, r))
            if hmac.compare_digest(digest.hex(), expected):
                return True
    except (ValueError, TypeError, MemoryError):
        return False
    return False


def needs_rehash(encoded: str) -> bool:
    """A hash made with weaker parameters than today's: still accepted, but worth replacing."""
    try:
        _, n, r, p, *_ = encoded.strip().split("$")
        return (int(n), int(r), int(p)) < (SCRYPT_N, SCRYPT_R, SCRYPT_P)
    except ValueError:
        return True


ACCOUNT_PREFIX = "staff:"  # the actor of a named account: staff:j.jansen
# verified when a name is unknown, so that an unknown name takes as long as a wrong password
_UNKNOWN = "scrypt$131072$8$1$00000000000000000000000000000000$" + "0" * 64


@dataclass(frozen=True)
class StaffConfig:
    mode: str  # "oidc", "accounts", "password" or "off"
    password_hash: str | None = None
    allowed_emails: frozenset[str] = field(default_factory=frozenset)

    def actor_for_oidc_user(self, is_logged_in: bool, email: str | None) -> Actor | None:
        if self.mode != "oidc" or not is_logged_in or not email:
            return None
        if self.allowed_emails and email.lower() not in self.allowed_emails:
            return None
        return Actor(f"oidc:{email.lower()}")

    def actor_for_password(self, password) -> Actor | None:
        if self.mode != "password" or not self.password_hash or not verify_password(password, self.password_hash):
            return None
        return Actor(PASSWORD_ACCOUNT)

    def sign_in_with_password(self, password, client: str | None, throttle: Throttle,
                              now: datetime | None = None) -> SignIn:
        """Check a password under the throttle (geo.initiatives.throttle: decided and recorded in one step; a try
        that must still wait is refused without checking)."""
        if self.mode != "password":
            return SignIn(None, 0.0, checked=False)
        result = throttle.attempt(PASSWORD_ACCOUNT, client, lambda: self.actor_for_password(password) is not None,
                                  now)
        actor = Actor(PASSWORD_ACCOUNT) if result.succeeded else None
        return SignIn(actor, result.wait_seconds, result.checked, result.busy)


    def sign_in_with_account(self, name, password, client: str | None, throttle: Throttle,
                             hash_of: Callable[[str], str | None], now: datetime | None = None) -> SignIn:
        """A named account's sign-in under the same throttle, per account name; the actor is `staff:NAME`."""
        if self.mode != "accounts" or not isinstance(name, str) or not name.strip():
            return SignIn(None, 0.0, checked=False)
        account = name.strip().casefold()[:40]
        stored = hash_of(account)
        result = throttle.attempt(ACCOUNT_PREFIX + account, client,
                                  lambda: verify_password(password, stored or _UNKNOWN) and stored is not None, now)
        return SignIn(Actor(ACCOUNT_PREFIX + account) if result.succeeded else None, result.wait_seconds,
                      result.checked, result.busy)


@dataclass(frozen=True)
class SignIn:
    actor: Actor | None
    wait_seconds: float  # > 0: the next try must wait this long
    checked: bool  # False: refused by the throttle without looking at the password
    busy: bool = False  # too many sign-ins at once in this process: try again in a moment


def staff_config(secrets_: Mapping, environ: Mapping[str, str] = os.environ, accounts: bool = False) -> StaffConfig:
    """OIDC when secrets.toml has an [auth] section with a client id; else named accounts when the database has
    any (`accounts`); else a password hash; else off."""
    auth = secrets_.get("auth") if isinstance(secrets_, Mapping) else None
    if isinstance(auth, Mapping) and (auth.get("client_id") or any(isinstance(v, Mapping) for v in auth.values())):
        emails = secrets_.get("staff_emails") or []
        return StaffConfig("oidc", allowed_emails=frozenset(str(e).lower() for e in emails))
    if accounts:
        return StaffConfig("accounts")
    hashed = environ.get(ENV_HASH) or (secrets_.get("staff_password_hash") if isinstance(secrets_, Mapping) else None)
    if hashed and str(hashed).startswith("scrypt$"):
        return StaffConfig("password", password_hash=str(hashed))
    return StaffConfig("off")
