"""Staff sign-in under attack (issue 23, items 1, 2 and 9): a guesser is slowed, staff are never locked out, a try
is decided and recorded in one step, and odd passwords neither crash nor differ by Unicode form. The clock is
passed in; no test depends on how fast anything runs."""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from geo.initiatives import throttle as throttle_module
from geo.initiatives.auth import PASSWORD_ACCOUNT, StaffConfig, hash_password, verify_password
from geo.initiatives.store import Actor, Store
from geo.initiatives.throttle import (
    ACCOUNT_ALERT,
    FREE_FAILURES,
    MAX_DELAY_SECONDS,
    Throttle,
    delay_after,
)

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
RIGHT = "correct horse battery"


@pytest.fixture
def throttle(database_url):
    return Throttle(Store(database_url, seed_file=None).engine)


@pytest.fixture
def config():
    return StaffConfig("password", password_hash=hash_password(RIGHT, n=2**10))


def test_one_guesser_is_slowed_more_with_every_failure(throttle, config):
    results = [config.sign_in_with_password("guess", "10.0.0.9", throttle, START) for _ in range(FREE_FAILURES + 2)]
    assert [r.checked for r in results] == [True] * FREE_FAILURES + [False] * 2  # refused without checking
    assert results[FREE_FAILURES - 1].wait_seconds == delay_after(FREE_FAILURES) > 0
    # from the same address, even the right password waits; after the wait it is checked and let in
    assert config.sign_in_with_password(RIGHT, "10.0.0.9", throttle, START).actor is None
    later = START + timedelta(seconds=delay_after(FREE_FAILURES) + 1)
    assert config.sign_in_with_password(RIGHT, "10.0.0.9", throttle, later).actor == Actor(PASSWORD_ACCOUNT)
    # and a success resets: the next wrong try is free again
    assert config.sign_in_with_password("guess", "10.0.0.9", throttle, later).checked
    assert delay_after(100) == MAX_DELAY_SECONDS


def test_anyone_guessing_cannot_lock_staff_out(throttle, config):
    """A simulated day: staff sign in every 5 minutes (288 times) while 110 wrong passwords come from five other
    addresses, spread over the day. Staff must get in every time, from their own computer."""
    guesses = iter(range(110))
    staff_in = 0
    for step in range(288):
        now = START + timedelta(minutes=5 * step)
        for _ in range(0 if step % 3 else 1 + (step % 2)):  # bursts of guesses between staff sign-ins
            if next(guesses, None) is not None:
                config.sign_in_with_password(f"guess{step}", f"198.51.100.{step % 5}", throttle,
                                             now - timedelta(seconds=30))
        staff_in += config.sign_in_with_password(RIGHT, "192.0.2.10", throttle, now).actor is not None
    assert staff_in == 288


def test_a_new_device_of_staff_waits_seconds_not_minutes_while_the_account_is_under_attack(throttle, config):
    tries = [config.sign_in_with_password("guess", f"203.0.113.{i}", throttle, START + timedelta(seconds=i))
             for i in range(3 * ACCOUNT_ALERT)]  # wrong passwords from many addresses, one a second
    checked = sum(t.checked for t in tries)  # once the account is under attack: one check per 2 s at most
    assert ACCOUNT_ALERT < checked <= ACCOUNT_ALERT + (2 * ACCOUNT_ALERT) // 2 + 1
    last = max(i for i, t in enumerate(tries) if t.checked)
    now = START + timedelta(seconds=last + 1)
    first = config.sign_in_with_password(RIGHT, "192.0.2.77", throttle, now)  # a device never seen
    assert first.actor is None and not first.checked and 0 < first.wait_seconds <= 2  # spaced, not locked
    second = config.sign_in_with_password(RIGHT, "192.0.2.77", throttle, now + timedelta(seconds=1))
    assert second.actor == Actor(PASSWORD_ACCOUNT)
    # the attack goes on; the device staff used before is not spaced at all
    for i in range(ACCOUNT_ALERT + 1):
        config.sign_in_with_password("guess", f"198.51.100.{i}", throttle, now + timedelta(seconds=2 + 2 * i))
    later = now + timedelta(seconds=2 + 2 * ACCOUNT_ALERT)
    assert config.sign_in_with_password(RIGHT, "192.0.2.77", throttle, later).actor


def test_concurrent_wrong_passwords_are_decided_and_counted_one_by_one(throttle, config, monkeypatch):
    """Eight wrong passwords at the same moment from one address: only FREE_FAILURES are checked, and a process
    never runs more than CONCURRENT_CHECKS password checks at once."""
    checking, most = [0], [0]
    lock = threading.Lock()
    real = StaffConfig.actor_for_password

    def counting(self, password):
        with lock:
            checking[0] += 1
            most[0] = max(most[0], checking[0])
        try:
            return real(self, password)
        finally:
            with lock:
                checking[0] -= 1

    monkeypatch.setattr(StaffConfig, "actor_for_password", counting)
    results = []
    start = threading.Barrier(8)

    def one():
        start.wait()
        results.append(config.sign_in_with_password("guess", "10.0.0.50", throttle, START))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 8
    assert sum(r.checked for r in results) == FREE_FAILURES
    assert most[0] <= throttle_module.CONCURRENT_CHECKS


def test_unicode_forms_and_odd_passwords():
    composed, decomposed = "caf\u00e9-wachtwoord", "cafe\u0301-wachtwoord"
    assert unicodedata.normalize("NFC", decomposed) == composed
    encoded = hash_password(composed, n=2**10)
    assert verify_password(decomposed, encoded) and verify_password(composed, encoded)
    salt = bytes(16)  # a hash made before normalisation, of the decomposed form: still verifies as typed
    digest = hashlib.scrypt(decomposed.encode(), salt=salt, n=1024, r=8, p=1, dklen=32)
    assert verify_password(decomposed, f"scrypt$1024$8$1${salt.hex()}${digest.hex()}")
    for odd in (["a", "b"], None, 42, "", {"x": 1}):
        assert verify_password(odd, encoded) is False  # never an exception


def test_a_password_sent_as_a_list_is_just_wrong(throttle, config):
    result = config.sign_in_with_password(["correct", "horse"], "10.0.0.7", throttle, START)
    assert result.actor is None and result.checked
