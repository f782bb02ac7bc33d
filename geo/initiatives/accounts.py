"""Named staff accounts: who may edit initiatives, each with a scrypt password hash, in the initiatives database.

Managed on the command line (`python -m geo staff add NAME`, `remove`, `list`); when any account exists, the
page asks for a name and a password, and every change records that name (`staff:NAME`) instead of the shared
"staff-password". Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from geo.initiatives.store import Store, staff_accounts

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")  # e.g. "j.jansen" or "anouk-heerlen"


class AccountError(ValueError):
    """A name that cannot be an account name; the message says what is allowed."""


def valid_name(name: str) -> str:
    cleaned = name.strip().casefold()
    if not NAME.fullmatch(cleaned):
        raise AccountError("an account name has 2-40 characters: lower-case letters, digits, '.', '_' or '-', "
                           "starting with a letter or digit")
    return cleaned


class Accounts:
    """The staff accounts in one initiatives database."""

    def __init__(self, store: Store):
        self.engine = store.engine  # the store created the table with its own (geo.initiatives.store)

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [row.name for row in conn.execute(sa.select(staff_accounts.c.name).order_by("name"))]

    def any(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(staff_accounts)).scalar_one() > 0

    def hash_of(self, name: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(staff_accounts.c.password_hash)
                                .where(staff_accounts.c.name == name.strip().casefold())).scalar_one_or_none()

    def set_password(self, name: str, password_hash: str) -> bool:
        """Add the account or give it a new password, in one transaction; True when it is new."""
        name, now = valid_name(name), datetime.now(UTC)
        with self.engine.begin() as conn:
            updated = conn.execute(sa.update(staff_accounts).where(staff_accounts.c.name == name)
                                   .values(password_hash=password_hash, updated_at=now)).rowcount
            if not updated:
                conn.execute(sa.insert(staff_accounts).values(name=name, password_hash=password_hash,
                                                              created_at=now, updated_at=now))
        return not updated

    def remove(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(sa.delete(staff_accounts)
                                .where(staff_accounts.c.name == name.strip().casefold())).rowcount > 0
