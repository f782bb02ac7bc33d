"""One visitor cannot stall everyone (issue 23.4): a protocol-level client asks for page after page over one
websocket, as no browser would. Past the session's budget its runs stop before any work, with a notice, and
another visitor's page is served in between. Bounded: 100 runs, one server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest

from geo.visits import RUNS_PER_WINDOW, WINDOW_SECONDS, allow_run
from serving.streamlit_client import Session
from tests.browser import server_on_copy

TOO_MANY = "Te veel verzoeken in korte tijd vanuit dit venster."


def test_the_budget_refills_as_the_window_moves_on():
    from collections import deque

    times = deque()
    assert all(allow_run(times, 0.01 * i) for i in range(RUNS_PER_WINDOW))
    assert not allow_run(times, 0.5)  # one too many within the window
    assert not any(allow_run(times, 1 + 0.01 * i) for i in range(1000))  # a flood stays refused
    assert len(times) <= 4 * RUNS_PER_WINDOW  # and costs no memory
    assert allow_run(times, 1000.0)  # a quiet window later: allowed again


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    with server_on_copy(synced_dir, tmp_path_factory.mktemp("flood")) as running:
        yield running


def test_a_flood_of_reruns_is_stopped_early_and_others_are_served(server):
    """Run after run, each asked for as soon as the last one finished (a burst would be folded into one run by
    Streamlit itself)."""
    async def scenario():
        attacker, visitor = Session(server.url), Session(server.url)
        await attacker.open()
        await visitor.open()
        started = time.monotonic()
        runs = [await attacker.run_texts("", "level=buurt&area=all&indicator=aantal_inwoners", 120)
                for _ in range(100)]
        elapsed = time.monotonic() - started
        served = await visitor.run_texts("over", "", 120)
        await attacker.close()
        await visitor.close()
        return runs, elapsed, served

    runs, elapsed, served = asyncio.run(scenario())
    full = [r for r in runs if "Kaartverkenner" in r]
    stopped = [r for r in runs if any(TOO_MANY in t for t in r)]
    assert len(full) + len(stopped) == 100 and len(stopped) >= 100 - RUNS_PER_WINDOW * (elapsed / WINDOW_SECONDS + 1)
    assert all("Kaartverkenner" not in r for r in stopped)  # a stopped run does none of the page's work
    assert any("Data en bronnen" in t for t in served) and not any(TOO_MANY in t for t in served)
