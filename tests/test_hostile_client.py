"""What no browser sends (issue 23.9): a crafted client answers for the map component with text that is not JSON,
or JSON of another shape. The page is served as if the map had said nothing, and the session goes on working."""

from __future__ import annotations

import asyncio

import pytest

from serving.streamlit_client import Session
from tests.browser import server_on_copy

VIEW = "level=gemeente&area=parkstad&indicator=aantal_inwoners"
CRAFTED = ["{not json", "", "[1, 2]", '"GM0917"', "null", '{"last_active_drawing": "GM0917"}',
           '{"last_active_drawing": {"properties": {"code": 5}}}', '{"last_active_drawing": {"properties": []}}']


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    with server_on_copy(synced_dir, tmp_path_factory.mktemp("hostile-client")) as running:
        yield running


@pytest.mark.parametrize("raw", CRAFTED)
def test_a_crafted_map_value_is_ignored_and_the_session_keeps_working(server, raw):
    async def scenario():
        tab = Session(server.url)
        await tab.open()
        first = await tab.run_elements("", VIEW, 120)
        widget = next(text for kind, text in first if kind == "component_instance")
        crafted = await tab.run_elements("", VIEW, 120, {widget: raw})
        crafted_messages = [kind for kind, _ in tab.received]
        after = await tab.run_elements("", VIEW, 120)
        after_messages = [kind for kind, _ in tab.received]
        await tab.close()
        return (crafted, crafted_messages), (after, after_messages)

    for elements, messages in asyncio.run(scenario()):
        assert not [text for kind, text in elements if kind in ("exception", "error")]
        assert ("heading", "Kaartverkenner") in elements
        # the map is there: sent again, or as a reference to the one the tab has
        assert any(kind == "component_instance" for kind, _ in elements) or "ref_hash" in messages
    assert "Traceback" not in server.log.read_text(errors="replace")
