"""A Streamlit client at the protocol level: one browser tab's websocket session, without a browser. serve.py
warms a starting server with it; scripts/load.py opens many sessions at once with it; tests send with it what no
browser would."""

from __future__ import annotations

import asyncio
import time

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

RECONNECTS = 3  # a browser tab keeps trying; this client gives up after so many lost connections per page


class Session:
    """One browser tab's worth of server work: a websocket session that asks for pages. Like a browser it keeps
    the cookies it is given (a proxy's sticky-session cookie) and, when the connection is lost (a replica gone),
    connects again and asks for the same view: the new server knows the tab only by its URL."""

    def __init__(self, url: str):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.received: list[tuple[str, int]] = []  # the last run's messages: (type, bytes)
        self.cached: set[str] = set()  # hashes of the large messages this tab keeps, as a browser does
        self.cookies: dict[str, str] = {}
        self.reconnects = 0

    async def open(self) -> None:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=30, ping_interval=None, additional_headers=headers)
        for header in self.ws.response.headers.get_all("Set-Cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0].strip()
        self.cached = set()  # a new server session: the browser's message cache starts again

    async def _run(self, name: str, query: str, json_widgets: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """Ask for a page (query string and page name, as a browser tab does) and read until its script has
        finished: (element type, text) of every element the run sent; exceptions with their message; the widget
        id of each component (its text). `json_widgets` sends component values as given (widget id: raw JSON),
        as no browser would."""
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = name
        for widget_id, raw in (json_widgets or {}).items():
            widget = message.rerun_script.widget_states.widgets.add()
            widget.id, widget.json_value = widget_id, raw
        message.rerun_script.cached_message_hashes.extend(sorted(self.cached))  # "send me a reference to these"
        await self.ws.send(message.SerializeToString())
        elements: list[tuple[str, str]] = []
        self.received = []
        while True:
            forward, raw = ForwardMsg(), await self.ws.recv()
            forward.ParseFromString(raw)
            kind = forward.WhichOneof("type")
            self.received.append((kind, len(raw)))
            if forward.metadata.cacheable:
                self.cached.add(forward.hash)
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                which = element.WhichOneof("type")
                text = {"exception": lambda e: e.exception.message, "heading": lambda e: e.heading.body,
                        "alert": lambda e: e.alert.body,
                        "component_instance": lambda e: e.component_instance.id}.get(which, lambda e: "")(element)
                if which == "alert" and element.alert.format == Alert.ERROR:
                    which = "error"  # st.error: on a default view, the app's apology for an unexpected error
                elements.append((which, text))
            if kind == "script_finished":
                return elements

    async def page(self, name: str, query: str, timeout: float) -> tuple[float, str | None]:
        """Seconds until the page's script finished, and the first problem (an exception, a timeout, a connection
        that could not be made again)."""
        started = time.perf_counter()
        for attempt in range(RECONNECTS + 1):
            try:
                async with asyncio.timeout(timeout):
                    if self.ws is None:
                        await self.open()
                    elements = await self._run(name, query)
                break
            except TimeoutError:
                return time.perf_counter() - started, f"timeout on /{name}?{query}"
            except (websockets.ConnectionClosed, websockets.InvalidHandshake, OSError) as exc:
                self.ws = None
                if attempt == RECONNECTS:
                    return time.perf_counter() - started, f"connection lost on /{name}?{query}: {exc}"
                self.reconnects += 1
                await asyncio.sleep(0.5 * (attempt + 1))  # as a browser waits before it reconnects
        problem = next((f"exception on /{name}?{query}: {text}" for kind, text in elements if kind == "exception"),
                       None)
        return time.perf_counter() - started, problem

    async def run_elements(self, name: str, query: str, timeout: float,
                           json_widgets: dict[str, str] | None = None) -> list[tuple[str, str]]:
        """(element type, text) of every element a run of the page sent."""
        async with asyncio.timeout(timeout):
            return await self._run(name, query, json_widgets)

    async def errors(self, name: str, query: str, timeout: float) -> list[str]:
        """Exceptions and error notices of a run of the page (none is expected on a default view)."""
        elements = await self.run_elements(name, query, timeout)
        return [f"/{name}?{query}: {text}" for kind, text in elements if kind in ("exception", "error")]

    async def run_texts(self, name: str, query: str, timeout: float) -> list[str]:
        """The headings and notices a run of the page sent, in order."""
        elements = await self.run_elements(name, query, timeout)
        return [text for kind, text in elements if kind in ("heading", "alert", "error")]

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None
