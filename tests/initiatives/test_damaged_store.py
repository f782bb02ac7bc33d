"""A damaged database is never silently re-seeded (issue 23.3): staff edits must not vanish without a word."""

from __future__ import annotations

import os
import sqlite3

import pytest

from geo.initiatives.schema import Initiative
from geo.initiatives.store import Actor, Store, StoreDamaged
from tests.initiatives.test_initiatives import valid
from tests.test_app import problems, run_page


@pytest.fixture
def edited(tmp_path):
    """A seeded SQLite database with one staff edit in it."""
    url = f"sqlite:///{tmp_path / 'initiatives.sqlite'}"
    store = Store(url)
    store.upsert([Initiative.model_validate(valid(initiative_id="staff-edit", name="Door staff toegevoegd"))],
                 Actor("staff"))
    store.engine.dispose()
    return tmp_path / "initiatives.sqlite", url


def test_a_database_set_up_once_is_opened_again_without_seeding(edited):
    path, url = edited
    again = Store(url)
    assert again.get("staff-edit") is not None and (path.parent / "initiatives.sqlite.initialised").exists()


@pytest.mark.parametrize("damage", ["empty", "garbage"])
def test_an_emptied_or_broken_database_is_refused_not_reseeded(edited, damage):
    path, url = edited
    if damage == "empty":
        path.write_bytes(b"")  # what a failed copy or a full disk can leave
    else:
        path.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (path.parent / (path.name + suffix)).unlink(missing_ok=True)
    with pytest.raises(StoreDamaged, match="initiatives.sqlite") as info:
        Store(url)
    assert "restore it from a backup" in str(info.value)
    if damage == "empty":
        assert path.stat().st_size == 0 or not sqlite3.connect(path).execute(
            "SELECT name FROM sqlite_master WHERE name='initiatives'").fetchall()  # nothing was seeded into it


def test_a_read_only_database_can_still_be_exported(edited, tmp_path, monkeypatch):
    path, url = edited
    os.chmod(path, 0o444)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"
    try:
        store = Store(read_only, seed_file=None)
        assert store.get("staff-edit") is not None
    finally:
        os.chmod(path, 0o644)


def test_pages_that_only_read_initiatives_say_they_are_unavailable(app_env):
    database = app_env / "initiatives.sqlite"
    Store(f"sqlite:///{database}").engine.dispose()  # set up once
    database.write_bytes(b"")
    for page in ("app_pages/monitor.py", "app_pages/gebieden.py", "app_pages/buurt.py"):
        at = run_page(page, buurt="BU09280105") if page.endswith("buurt.py") else run_page(page)
        assert not problems(at), page
        assert any("Initiatieven zijn nu niet beschikbaar" in w.value for w in at.warning), page
