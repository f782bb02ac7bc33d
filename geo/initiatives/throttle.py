"""Failed staff sign-ins, counted in the database so that a new browser session or another process starts with
nothing to gain. What it protects against, and what it does not (README, "Initiatives and staff editing"):

- one guesser, from one client address, on one account: after FREE_FAILURES failures each further try must wait,
  2 s doubling up to 15 minutes (key `pair:<account>|<client>`), refused without checking the password;
- one client address trying many accounts: the same per address (`client:<client>`);
- many addresses guessing one account: the account's checks by unknown devices are spaced ACCOUNT_SPACING
  apart once the account has ACCOUNT_ALERT failures (`account:<account>`). That bounds the guesses per day
  without ever locking the right person out: staff wait at most a few seconds, and a device that signed in
  before (`known:<account>|<client>`, for KNOWN_FOR) is not spaced at all.

A try is decided and recorded in one step: the keys are read, and the try is counted as a failure by a
compare-and-set UPDATE on exactly what was read, in one transaction; a concurrent try that changed a key makes
this one read again. So eight tries at once are eight counted tries, and at most FREE_FAILURES of them get
through before the wait begins. A success then clears the pair, the address and the account, and remembers
the device. A process checks at most CONCURRENT_CHECKS passwords at a time (scrypt takes ~128 MiB each).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from geo.initiatives.store import aware, create_if_absent, insert_if_absent

FREE_FAILURES = 3
FIRST_DELAY_SECONDS = 2
MAX_DELAY_SECONDS = 15 * 60
FORGET_AFTER = timedelta(hours=24)
ACCOUNT_ALERT = 10  # failures of an account (from anywhere) after which unknown devices are spaced
ACCOUNT_SPACING = timedelta(seconds=2)
KNOWN_FOR = timedelta(days=90)
CONCURRENT_CHECKS = 2
CHECK_QUEUE_SECONDS = 5.0
MAX_RACE_RETRIES = 20

metadata = sa.MetaData()
attempts = sa.Table(
    "sign_in_failures", metadata,
    sa.Column("key", sa.String(300), primary_key=True),  # "pair:…", "client:…", "account:…" or "known:…"
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure", sa.DateTime(timezone=True), nullable=False),  # for "known:": the last success
)
_checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)


class _Raced(Exception):
    """A key changed between reading and counting."""


def delay_after(failures: int) -> float:
    """Seconds a key must wait after this many failures: none at first, then growing."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _client(client) -> str:
    """The client's address as text; anything else (unknown, or not a string) is "local"."""
    return client[:120] if isinstance(client, str) and client else "local"


def keys(account: str, client: str | None) -> dict[str, str]:
    account, client = account[:120], _client(client)
    return {"pair": f"pair:{account}|{client}", "client": f"client:{client}", "account": f"account:{account}",
            "known": f"known:{account}|{client}"}


@dataclass(frozen=True)
class Verdict:
    wait_seconds: float  # 0: may try now

    @property
    def allowed(self) -> bool:
        return self.wait_seconds <= 0


@dataclass(frozen=True)
class Attempt:
    succeeded: bool
    checked: bool  # False: refused without looking at the password
    wait_seconds: float  # before the next try (0: none)
    busy: bool = False


class Throttle:
    def __init__(self, engine: Engine):
        self.engine = engine
        create_if_absent(engine, metadata, attempts)

    # --- reading ----------------------------------------------------------------------------------------------

    def _rows(self, conn, wanted: dict[str, str]) -> dict[str, sa.Row]:
        rows = conn.execute(sa.select(attempts).where(attempts.c.key.in_(list(wanted.values())))).all()
        return {row.key: row for row in rows}

    def _wait(self, rows: dict[str, sa.Row], names: dict[str, str], now: datetime) -> float:
        """How long this try must still wait: the pair and the address grow; the account only spaces unknown
        devices once it is under attack."""
        wait = 0.0
        for kind in ("pair", "client"):
            row = rows.get(names[kind])
            if row is not None and now - aware(row.last_failure) <= FORGET_AFTER:
                until = aware(row.last_failure) + timedelta(seconds=delay_after(row.failures))
                wait = max(wait, (until - now).total_seconds())
        account, known = rows.get(names["account"]), rows.get(names["known"])
        is_known = known is not None and now - aware(known.last_failure) <= KNOWN_FOR
        if account is not None and not is_known and now - aware(account.last_failure) <= FORGET_AFTER \
                and account.failures >= ACCOUNT_ALERT:
            wait = max(wait, (aware(account.last_failure) + ACCOUNT_SPACING - now).total_seconds())
        return max(wait, 0.0)

    def check(self, account: str, client: str | None, now: datetime | None = None) -> Verdict:
        """How long a try from here must still wait (read only)."""
        now = now or datetime.now(UTC)
        names = keys(account, client)
        with self.engine.connect() as conn:
            return Verdict(self._wait(self._rows(conn, names), names, now))

    # --- one try: decide and record in one step ---------------------------------------------------------------

    def _reserve(self, account: str, client: str | None, now: datetime) -> float:
        """Count this try as a failure if it may go ahead (0 returned), else return the wait. Compare-and-set on
        what was read, in one transaction; a concurrent change makes it read again."""
        names = keys(account, client)
        for attempt in range(MAX_RACE_RETRIES):
            try:
                with self.engine.begin() as conn:
                    rows = self._rows(conn, names)
                    wait = self._wait(rows, names, now)
                    if wait > 0:
                        return wait
                    for kind in ("pair", "client", "account"):
                        if not self._count(conn, names[kind], rows.get(names[kind]), now):
                            raise _Raced  # someone else counted in between: roll back, read again
                    return 0.0
            except (_Raced, sa.exc.OperationalError):  # SQLite: another writer went first
                time.sleep(0.01 * (attempt + 1))
        return float(FIRST_DELAY_SECONDS)

    def _count(self, conn, key: str, row: sa.Row | None, now: datetime) -> bool:
        if row is None:
            inserted = conn.execute(insert_if_absent(self.engine, attempts).values(key=key, failures=1,
                                                                                last_failure=now))
            return bool(inserted.rowcount)
        stale = now - aware(row.last_failure) > FORGET_AFTER
        changed = conn.execute(attempts.update().where(
            (attempts.c.key == key) & (attempts.c.failures == row.failures)
            & (attempts.c.last_failure == row.last_failure)
        ).values(failures=1 if stale else row.failures + 1, last_failure=now))
        return bool(changed.rowcount)

    def attempt(self, account: str, client: str | None, check: Callable[[], bool],
                now: datetime | None = None) -> Attempt:
        """One sign-in: refused without checking while it must wait; else counted, checked, and on success the
        counts cleared and the device remembered."""
        now = now or datetime.now(UTC)
        if not _checks.acquire(timeout=CHECK_QUEUE_SECONDS):
            return Attempt(False, False, 1.0, busy=True)
        try:
            wait = self._reserve(account, client, now)
            if wait > 0:
                return Attempt(False, False, wait)
            if check():
                self.succeeded(account, client, now)
                return Attempt(True, True, 0.0)
        finally:
            _checks.release()
        return Attempt(False, True, self.check(account, client, now).wait_seconds)

    def succeeded(self, account: str, client: str | None, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        names = keys(account, client)
        with self.engine.begin() as conn:
            conn.execute(attempts.delete().where(attempts.c.key.in_([names["pair"], names["client"],
                                                                      names["account"], names["known"]])))
            conn.execute(insert_if_absent(self.engine, attempts).values(key=names["known"], failures=0,
                                                                        last_failure=now))
