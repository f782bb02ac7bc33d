"""Several first starts at the same moment (a restart behind a load balancer, two workers) on an empty
database: each creates and seeds the table idempotently, none fails, and the seed is there once."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from geo.config import REPO_ROOT
from tests.conftest import env_with

STARTER = """
import sys, time
url, at = sys.argv[1], float(sys.argv[2])
from geo.initiatives.store import Store      # imports first, so that the starts below coincide
time.sleep(max(0.0, at - time.time()))
print(Store(url).count(include_archived=True))
"""
SEEDED = 41  # rows of data/initiatives.csv


def start_together(url: str, processes: int = 3) -> list[subprocess.CompletedProcess]:
    at = time.time() + 3.0
    running = [subprocess.Popen([sys.executable, "-c", STARTER, url, str(at)], cwd=REPO_ROOT, env=env_with(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(processes)]
    results = []
    for process in running:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def drop(url: str) -> None:
    """Back to a database that was never set up (no table, no marker in it or beside it)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS initiatives"))
        conn.execute(sa.text("DROP TABLE IF EXISTS store_meta"))
        conn.execute(sa.text("DROP TABLE IF EXISTS staff_accounts"))
    engine.dispose()
    if url.startswith("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        database.with_name(database.name + ".initialised").unlink(missing_ok=True)


def test_concurrent_first_starts_all_succeed(database_url):
    for _ in range(3):  # the race is a matter of timing: try it a few times
        drop(database_url)
        results = start_together(database_url)
        for result in results:
            assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
            assert result.stdout.strip() == str(SEEDED)
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM initiatives")).scalar_one() == SEEDED
        engine.dispose()
