"""Named staff accounts (issue 22): managed on the command line, each sign-in under the throttle of its own name,
every change recorded with that name."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from geo import cli
from geo.initiatives.accounts import AccountError, Accounts, valid_name
from geo.initiatives.auth import StaffConfig, hash_password, staff_config
from geo.initiatives.store import Store
from geo.initiatives.throttle import FREE_FAILURES, Throttle

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
RIGHT = "correct horse battery"


@pytest.fixture
def store(database_url):
    return Store(database_url, seed_file=None)


def test_names_are_plain_and_case_insensitive():
    assert valid_name(" J.Jansen ") == "j.jansen"
    for bad in ("x", "", "-dash", "two words", "a" * 41, "naïve", "<script>"):
        with pytest.raises(AccountError):
            valid_name(bad)


def test_add_change_and_remove_accounts(store):
    accounts = Accounts(store)
    assert not accounts.any()
    assert accounts.set_password("j.jansen", hash_password(RIGHT, n=2**10)) is True
    assert accounts.set_password("J.Jansen", hash_password("another password", n=2**10)) is False  # a new password
    assert accounts.names() == ["j.jansen"] and accounts.any()
    assert accounts.remove("j.jansen") and not accounts.remove("j.jansen") and accounts.names() == []


def test_named_accounts_take_over_from_the_shared_password():
    shared = {"staff_password_hash": hash_password(RIGHT, n=2**10)}
    assert staff_config(shared, {}).mode == "password"
    assert staff_config(shared, {}, accounts=True).mode == "accounts"


def test_each_name_signs_in_as_itself_under_its_own_throttle(store):
    accounts = Accounts(store)
    accounts.set_password("j.jansen", hash_password(RIGHT, n=2**10))
    throttle, config = Throttle(store.engine), StaffConfig("accounts")
    signed = config.sign_in_with_account("J.Jansen", RIGHT, "10.0.0.1", throttle, accounts.hash_of, START)
    assert signed.actor.name == "staff:j.jansen"
    assert config.sign_in_with_account("nobody", RIGHT, "10.0.0.2", throttle, accounts.hash_of, START).actor is None
    for step in range(FREE_FAILURES):  # guessing one name slows that name's guesser ...
        result = config.sign_in_with_account("j.jansen", "guess", "10.0.0.3", throttle, accounts.hash_of,
                                             START + timedelta(seconds=step))
    assert result.actor is None and result.wait_seconds > 0
    # ... and never the right person on their own device
    assert config.sign_in_with_account("j.jansen", RIGHT, "10.0.0.1", throttle, accounts.hash_of,
                                       START + timedelta(seconds=FREE_FAILURES)).actor is not None


def test_the_command_line_adds_lists_and_removes(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(RIGHT + "\n"))
    assert cli.main(["staff", "add", "A.de.Vries"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["staff", "add", "kort"]) == 1 and "12 characters" in capsys.readouterr().err
    assert cli.main(["staff", "add", "bad name"]) == 2
    assert cli.main(["staff", "list"]) == 0 and capsys.readouterr().out.split() == ["a.de.vries"]
    assert cli.main(["staff", "remove", "a.de.vries"]) == 0 and cli.main(["staff", "remove", "a.de.vries"]) == 1
