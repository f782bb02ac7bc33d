"""A Streamlit client at the protocol level: one browser tab's websocket session, without a browser (used by
scripts/load.py for many sessions at once, and by tests that must send what no browser would)."""

from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


class Session:
    """One browser tab's worth of server work: a websocket session that asks for pages."""

    def __init__(self, url: str):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None

    async def open(self) -> None:
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=30, ping_interval=None)

    async def _run(self, name: str, query: str) -> list[tuple[str, str]]:
        """Ask for a page (query string and page name, as a browser tab does) and read until its script has
        finished: (element type, text) of every element the run sent; exceptions with their message."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = name
        await self.ws.send(message.SerializeToString())
        elements: list[tuple[str, str]] = []
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.ws.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                which = element.WhichOneof("type")
                text = {"exception": lambda e: e.exception.message, "heading": lambda e: e.heading.body,
                        "alert": lambda e: e.alert.body}.get(which, lambda e: "")(element)
                elements.append((which, text))
            if kind == "script_finished":
                return elements

    async def page(self, name: str, query: str, timeout: float) -> tuple[float, str | None]:
        """Seconds until the page's script finished, and the first problem (an exception, a timeout)."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                elements = await self._run(name, query)
        except TimeoutError:
            return time.perf_counter() - started, f"timeout on /{name}?{query}"
        problem = next((f"exception on /{name}?{query}: {text}" for kind, text in elements if kind == "exception"),
                       None)
        return time.perf_counter() - started, problem

    async def run_texts(self, name: str, query: str, timeout: float) -> list[str]:
        """The headings and notices a run of the page sent, in order."""
        async with asyncio.timeout(timeout):
            elements = await self._run(name, query)
        return [text for kind, text in elements if kind in ("heading", "alert")]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
