"""Lean page runs through the production launcher (serve.py, issue 21.1), at the protocol level: the server warms
itself before visitors come, and a rerun that changes nothing on the map sends nothing for the map."""

from __future__ import annotations

import asyncio

import pytest

from serving.streamlit_client import Session
from tests.browser import server_on_copy

VIEW = "level=buurt&area=all&indicator=aantal_inwoners"


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    with server_on_copy(synced_dir, tmp_path_factory.mktemp("lean"), launcher=True) as running:
        yield running


def test_the_launcher_preloads_and_warms_every_page(server):
    assert server.wait_for_log("warm-up finished"), server.log.read_text()[-2000:]
    log = server.log.read_text()
    assert "preloaded gen-" in log
    warmed = next(line for line in log.splitlines() if "warm-up finished" in line)
    assert "warm-up finished: 6 pages in" in warmed and "problems" not in warmed, warmed


def test_the_same_view_again_sends_only_a_reference_to_the_map(server):
    async def scenario():
        visitor = Session(server.url)
        await visitor.open()
        first = await visitor.page("", VIEW, 120)
        first_messages = list(visitor.received)
        again = await visitor.page("", VIEW, 120)
        again_messages = list(visitor.received)
        await visitor.close()
        return first, first_messages, again, again_messages

    first, first_messages, again, again_messages = asyncio.run(scenario())
    assert first[1] is None and again[1] is None
    assert max(size for _, size in first_messages) > 100_000  # the map's 449 buurten, once
    assert max(size for _, size in again_messages) < 20_000  # not again ...
    assert any(kind == "ref_hash" for kind, _ in again_messages)  # ... the browser is told to reuse what it has
    assert sum(size for _, size in again_messages) < sum(size for _, size in first_messages) / 5
