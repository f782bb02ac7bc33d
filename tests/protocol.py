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

    async def page(self, name: str, query: str, timeout: float) -> tuple[float, str | None]:
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = name
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        problem = None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    forward = ForwardMsg()
                    forward.ParseFromString(await self.ws.recv())
                    kind = forward.WhichOneof("type")
                    if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                        element = forward.delta.new_element.WhichOneof("type")
                        if element == "exception" and problem is None:
                            problem = f"exception on /{name}?{query}: {forward.delta.new_element.exception.message}"
                    if kind == "script_finished":
                        break
        except TimeoutError:
            problem = f"timeout on /{name}?{query}"
        return time.perf_counter() - started, problem

    async def run_texts(self, name: str, query: str, timeout: float) -> list[str]:
        """Ask for a page and return the texts of the elements its run sent (headings, notices), in order."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = name
        await self.ws.send(message.SerializeToString())
        texts: list[str] = []
        async with asyncio.timeout(timeout):
            while True:
                forward = ForwardMsg()
                forward.ParseFromString(await self.ws.recv())
                kind = forward.WhichOneof("type")
                if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                    element = forward.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "heading":
                        texts.append(element.heading.body)
                    elif which == "alert":
                        texts.append(element.alert.body)
                if kind == "script_finished":
                    return texts

    async def flood(self, name: str, query: str, count: int, quiet: float = 3.0, limit: float = 120.0) -> dict:
        """Send `count` rerun requests at once (no browser does), then read until the server is quiet: how many
        runs started, how many reached the page's heading, and how many were stopped with a notice."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = name
        for _ in range(count):
            await self.ws.send(message.SerializeToString())
        seen = {"started": 0, "headings": [], "alerts": []}
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                raw = await asyncio.wait_for(self.ws.recv(), quiet)
            except TimeoutError:
                break
            forward = ForwardMsg()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                seen["started"] += 1
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                if element.WhichOneof("type") == "heading":
                    seen["headings"].append(element.heading.body)
                elif element.WhichOneof("type") == "alert":
                    seen["alerts"].append(element.alert.body)
        return seen

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
