"""Shared fixtures: the PDOK snapshot (outside the repo), a synced cache, the stand-in server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from geo import config
from geo.data.pdok import RetryPolicy
from tests.pdok_server import StandIn

FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, timeout=0.5, deadline=5.0)
LBM_PATH = "/resources/open-data-leefbaarometer-meting-2024.zip"


def pytest_addoption(parser):
    parser.addoption("--web", action="store_true", help="also run tests that need the real internet (PDOK)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--web"):
        return
    skip = pytest.mark.skip(reason="needs the internet; run with --web")
    for item in items:
        if "web" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def snapshot() -> Path:
    path = config.snapshot_dir()
    if not (path / "cbs").is_dir():
        pytest.fail(f"PDOK snapshot not found at {path}: set PARKSTAD_SNAPSHOT_DIR", pytrace=False)
    return path


@pytest.fixture(scope="session")
def years_snapshot() -> Path:
    """REAL CBS figures for the data years 2019, 2020, 2022, 2023 and 2024 (../shared/pdok-snapshot-years; its
    README says what each year holds): the fixture behind every test that needs more than one year."""
    path = config.years_snapshot_dir()
    if not (path / "cbs" / "wijken-en-buurten-2019").is_dir():
        pytest.fail(f"multi-year snapshot not found at {path}: set PARKSTAD_YEARS_SNAPSHOT_DIR", pytrace=False)
    return path


@pytest.fixture(scope="session")
def multi_year_snapshot(snapshot, tmp_path_factory) -> Path:
    """The real 2024 snapshot plus 2022 and 2023 DERIVED from it (tests/derived_years.py says how). Only for
    what real data cannot show: a re-divided buurt, a code that vanished, a reshaped wijk, a crime table."""
    from tests.derived_years import build

    return build(snapshot, tmp_path_factory.mktemp("multi-year") / "source")


def _synced(source: Path, directory: Path) -> Path:
    from geo.data.sources import DirectorySource
    from geo.data.sync import sync

    sync(DirectorySource(source), None, directory)
    return directory


@pytest.fixture(scope="session")
def synced_dir(years_snapshot, tmp_path_factory) -> Path:
    """A cache synced once from the REAL multi-year folder (all five data years); tests must not modify it."""
    return _synced(years_snapshot, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def derived_synced_dir(multi_year_snapshot, tmp_path_factory) -> Path:
    """A cache synced once from the DERIVED years (boundary changes, a vanished code, crimes); read only."""
    return _synced(multi_year_snapshot, tmp_path_factory.mktemp("derived-cache"))


@pytest.fixture
def data_dir(synced_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the synced cache, made the active data directory."""
    target = tmp_path / "data"
    shutil.copytree(synced_dir, target)
    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(target))
    return target


@pytest.fixture
def app_env(data_dir, monkeypatch):
    """A private cache for page tests, and a PDOK that cannot be reached."""
    monkeypatch.setenv("PDOK_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LEEFBAAROMETER_URL", "http://127.0.0.1:9/leefbaarometer.zip")
    return data_dir


@pytest.fixture(scope="session")
def area_data(synced_dir):
    from geo.data.area_data import AreaData

    return AreaData.load(synced_dir)


@pytest.fixture(scope="session")
def derived_area_data(derived_synced_dir):
    """Only for the cases real data cannot reach (tests/derived_years.py)."""
    from geo.data.area_data import AreaData

    return AreaData.load(derived_synced_dir)


@pytest.fixture
def derived_data_dir(derived_synced_dir, tmp_path, monkeypatch) -> Path:
    """A private copy of the derived-years cache, made the active data directory (page tests of breaks)."""
    target = tmp_path / "data"
    shutil.copytree(derived_synced_dir, target)
    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(target))
    monkeypatch.setenv("PDOK_API_URL", "http://127.0.0.1:9")
    return target


@pytest.fixture
def pdok(snapshot, monkeypatch):
    """The stand-in for PDOK (and CBS OData, which answers 404 for tables a test did not load)."""
    with StandIn(snapshot) as server:
        monkeypatch.setenv("CBS_ODATA_URL", f"{server.url}/ODataApi/OData")
        monkeypatch.setenv("LEEFBAAROMETER_URL", f"{server.url}{LBM_PATH}")  # 404 unless a test puts a file there
        yield server


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No cache and no reachable PDOK."""
    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("PDOK_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LEEFBAAROMETER_URL", "http://127.0.0.1:9/leefbaarometer.zip")
    return tmp_path / "empty"


def env_with(**extra) -> dict:
    env = dict(os.environ)
    env.update({k: str(v) for k, v in extra.items()})
    return env


@pytest.fixture(scope="session")
def postgres():
    from tests.postgres import PostgresServer, server_bin

    if server_bin() is None:
        pytest.fail("PostgreSQL server binaries not found: apt-get install postgresql", pytrace=False)
    with PostgresServer() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database of each kind; PostgreSQL gets a fresh schema per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'initiatives.sqlite'}"
        return
    import sqlalchemy as sa

    server = request.getfixturevalue("postgres")
    engine = sa.create_engine(server.url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS initiatives"))
        conn.execute(sa.text("DROP TABLE IF EXISTS sign_in_failures"))
        conn.execute(sa.text("DROP TABLE IF EXISTS store_meta"))  # a database never set up
        conn.execute(sa.text("DROP TABLE IF EXISTS staff_accounts"))
    engine.dispose()
    yield server.url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a module's browser tests (tests/browser.py)."""
    from tests.browser import chromium

    with chromium() as instance:
        yield instance


@pytest.fixture
def page(browser):
    """A page that aborts outside requests and fails on third-party requests, script errors and dialogs."""
    from tests.browser import checked_page

    with checked_page(browser) as page:
        yield page
