"""Failed staff sign-ins, counted in the database per account and per client address.

A new browser session starts with nothing, so counting in the session stops no one; counting here does,
across sessions, processes and (with PostgreSQL) servers. After FREE_FAILURES failures a key must wait
before the next try, and the wait doubles with every further failure up to MAX_DELAY_SECONDS. Failures
older than FORGET_AFTER are forgotten; a successful sign-in clears its client address (not the account,
so that one right guess elsewhere does not reset an attack on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.initiatives.store import aware, create_if_absent, insert_if_absent

FREE_FAILURES = 3
FIRST_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 15 * 60
FORGET_AFTER = timedelta(hours=24)

metadata = sa.MetaData()
attempts = sa.Table(
    "sign_in_failures", metadata,
    sa.Column("key", sa.String(300), primary_key=True),  # "account:<name>" or "client:<address>"
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),
)


def delay_after(failures: int) -> float:
    """Seconds a key must wait after this many failures: none at first, then growing."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def keys(account: str, client: str | None) -> list[str]:
    return [f"account:{account}", f"client:{client or 'local'}"[:300]]


@dataclass(frozen=True)
class Verdict:
    wait_seconds: float  # 0: may try now

    @property
    def allowed(self) -> bool:
        return self.wait_seconds <= 0


class Throttle:
    def __init__(self, engine: Engine):
        self.engine = engine
        create_if_absent(engine, metadata, attempts)

    def check(self, account: str, client: str | None, now: datetime | None = None) -> Verdict:
        """How long these keys must still wait (the longest of the two)."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(attempts).where(attempts.c.key.in_(keys(account, client)))).all()
        wait = 0.0
        for row in rows:
            last = aware(row.last_failure)
            if now - last > FORGET_AFTER:
                continue
            wait = max(wait, (last + timedelta(seconds=delay_after(row.failures)) - now).total_seconds())
        return Verdict(max(wait, 0.0))

    def failed(self, account: str, client: str | None, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            for key in keys(account, client):
                row = conn.execute(sa.select(attempts).where(attempts.c.key == key)).first()
                if row is None:
                    inserted = conn.execute(insert_if_absent(self.engine, attempts).values(key=key, failures=1,
                                                                                  last_failure=now))
                    if inserted.rowcount:
                        continue
                    row = conn.execute(sa.select(attempts).where(attempts.c.key == key)).first()
                stale = now - aware(row.last_failure) > FORGET_AFTER
                conn.execute(attempts.update().where(attempts.c.key == key).values(
                    failures=1 if stale else attempts.c.failures + 1, last_failure=now))

    def succeeded(self, account: str, client: str | None) -> None:
        with self.engine.begin() as conn:
            conn.execute(attempts.delete().where(attempts.c.key == keys(account, client)[1]))
