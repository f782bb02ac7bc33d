"""Helpers for end-to-end tests: a real `streamlit run` on 127.0.0.1 and headless Chromium.

The app serves its map libraries itself; every request that would leave the machine is aborted and
recorded, so the maps must draw from the app alone and a test can see that nothing but PDOK's basemap
tiles was asked of another host.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from geo.config import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOOPBACK = ("http://127.0.0.1", "http://localhost", "http://[::1]", "data:", "blob:", "about:")
PDOK_TILES = "https://service.pdok.nl/brt/achtergrondkaart/"  # the only outside host a page may ask


def block_outside_requests(page) -> list[str]:
    """Abort every request that leaves this machine (PDOK's tiles too: there is no internet here) and
    return the list of URLs that were asked for, so a test can check that only PDOK tiles were."""
    asked: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(LOOPBACK):
            return route.continue_()
        asked.append(url)
        return route.abort()

    page.context.route("**/*", handle)
    return asked


def third_party(asked: list[str]) -> list[str]:
    """Outside requests that were not PDOK basemap tiles."""
    return [url for url in asked if not url.startswith(PDOK_TILES)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run app.py` (or another script, from another folder: the bench's naive app) in its own process
    group; stopped (with its children) on exit."""

    def __init__(self, env: dict[str, str], script: str = "app.py", cwd: Path = REPO_ROOT,
                 options: tuple[str, ...] = ("--server.fileWatcherType", "none"), launcher: bool = False):
        self.script, self.cwd, self.options = script, cwd, options
        # launcher: serve.py, the production entry point (preloads, then runs app.py), instead of `streamlit run`
        self.command = [sys.executable, "serve.py"] if launcher else [sys.executable, "-m", "streamlit", "run", script]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None
        self.log = REPO_ROOT / "tests" / ".cache" / f"streamlit-{self.port}.log"

    def __enter__(self) -> StreamlitServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [*self.command, "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", *self.options],
            cwd=self.cwd, env=self.env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{self.log.read_text()}")
            try:
                if requests.get(f"{self.url}/_stcore/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"streamlit did not start:\n{self.log.read_text()}")

    def wait_for_log(self, text: str, timeout: float = 120) -> bool:
        """Whether `text` appeared in the server's log within `timeout` seconds (serve.py logs "warm-up finished")."""
        return wait_until(lambda: text in self.log.read_text(errors="replace"), timeout)

    def __exit__(self, *exc) -> None:
        stop_group(self.process)


def wait_until(condition, timeout: float, interval: float = 0.2) -> bool:
    """Whether `condition()` became true within `timeout` seconds, asked every `interval` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def stop_group(process: subprocess.Popen | None) -> None:
    """Stop a process started in its own session, with its children: politely, then for sure."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextlib.contextmanager
def server_on_copy(cache: Path, folder: Path, launcher: bool = False):
    """A server on a private copy of a synced cache (a test may change it), with SQLite initiatives beside it and
    a PDOK that cannot be reached."""
    directory = folder / "data"
    shutil.copytree(cache, directory)
    with StreamlitServer({"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9",
                          "DATABASE_URL": ""}, launcher=launcher) as running:
        yield running


@contextlib.contextmanager
def app_with_hostile_initiative(cache: Path, folder: Path):
    """The app as deployed (serve.py) on a copy of a synced cache, its initiatives seeded plus one whose texts are
    hostile (tests.initiatives.test_initiatives.HOSTILE)."""
    from geo.initiatives.schema import Initiative
    from geo.initiatives.store import Actor, Store
    from tests.initiatives.test_initiatives import HOSTILE, valid

    directory = folder / "data"
    shutil.copytree(cache, directory)
    store = Store(f"sqlite:///{directory / 'initiatives.sqlite'}")
    store.upsert([Initiative.model_validate(valid(initiative_id="hostile", name=HOSTILE, description_nl=HOSTILE,
                                                  buurtcodes="BU09280105"))], Actor("test"))
    env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9", "DATABASE_URL": ""}
    with StreamlitServer(env, launcher=True) as running:
        yield running


@contextlib.contextmanager
def chromium():
    """Headless system Chromium (Playwright cannot download browsers here)."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium", pytrace=False)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@contextlib.contextmanager
def checked_page(browser, **context_options):
    """A page whose outside requests are aborted; on leaving, it fails on requests to third parties, Leaflet or
    script errors and dialogs (a dialog means data-borne script ran)."""
    context = browser.new_context(**({"viewport": {"width": 1400, "height": 1100}} | context_options))
    page = context.new_page()
    asked = block_outside_requests(page)
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert not third_party(asked), f"requests to third parties: {third_party(asked)}"
    assert not [e for e in errors if "leaflet" in e.lower() or "alert" in e.lower()], errors
    assert not dialogs, f"data-borne script ran: {dialogs}"


PDF_VIEW = """<!doctype html><html><body style="margin:0;background:#fff"><canvas id="sheet"></canvas>
<script type="module">
import * as pdfjs from "/pdfjs/pdf.mjs";
pdfjs.GlobalWorkerOptions.workerSrc = "/pdfjs/pdf.worker.mjs";
const doc = await pdfjs.getDocument("/pdfjs/report.pdf").promise;
const sheet = await doc.getPage(Number(new URLSearchParams(location.search).get("sheet") || 1));
const view = sheet.getViewport({scale: 1.5});
const canvas = document.getElementById("sheet");
canvas.width = view.width; canvas.height = view.height;
await sheet.render({canvasContext: canvas.getContext("2d"), viewport: view}).promise;
window.pages = doc.numPages;
</script></body></html>"""


def pdf_screenshot(browser, pdf: bytes, path: Path, sheet: int = 1) -> int:
    """Draw one page of a PDF (the first unless `sheet` says) with pdf.js (npm, node_modules/) in Chromium and save
    it as a PNG; returns the number of pages. Everything is served from loopback addresses by the test itself."""
    import pytest

    library = REPO_ROOT / "node_modules" / "pdfjs-dist" / "build"
    if not library.exists():
        pytest.fail("pdf.js not installed: run `npm ci` (as .ci/run does)", pytrace=False)
    context = browser.new_context(viewport={"width": 900, "height": 1300})
    page = context.new_page()
    files = {"/pdfjs/view.html": (PDF_VIEW.encode(), "text/html"), "/pdfjs/report.pdf": (pdf, "application/pdf"),
             "/pdfjs/pdf.mjs": ((library / "pdf.mjs").read_bytes(), "text/javascript"),
             "/pdfjs/pdf.worker.mjs": ((library / "pdf.worker.mjs").read_bytes(), "text/javascript")}

    def serve(route):
        from urllib.parse import urlparse

        found = files.get(urlparse(route.request.url).path)
        if found:
            route.fulfill(status=200, body=found[0], content_type=found[1])
        else:
            route.abort()

    page.route("**/*", serve)
    try:
        page.goto(f"http://127.0.0.1:9/pdfjs/view.html?sheet={sheet}")
        page.wait_for_function("() => window.pages > 0", timeout=30_000)
        page.locator("#sheet").screenshot(path=str(path))
        return page.evaluate("() => window.pages")
    finally:
        context.close()


def open_page(page, server, path: str):
    page.goto(server.url + path)
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
    return page


SETTLED_JS = """() => !document.querySelector('[data-stale="true"]')
  && !document.querySelector('[data-testid^="stStatusWidgetRunning"]')"""


def wait_until_settled(page, timeout: float = 30.0) -> None:
    """Until the script run has ended and no element is left faded as stale from the run before (Streamlit draws
    those at a third of their opacity, which is not what a visitor reads once the page has loaded). Two checks a
    quarter second apart: a rerun the page asks for itself (query parameters) starts just after the first run."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if page.evaluate(SETTLED_JS) else 0
        if quiet >= 2:
            return
        page.wait_for_timeout(250)
    raise AssertionError("the page kept running or kept stale elements")


MAP_STATE_JS = """
() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  if (!map) return null;
  let features = 0, filled = 0, markers = 0;
  const fills = new Set(), codes = [];
  map.eachLayer(layer => {
    if (L.MarkerClusterGroup && layer instanceof L.MarkerClusterGroup) markers += layer.getLayers().length;
    if (layer.feature && layer.options) {
      features += 1;
      if (layer.feature.properties && layer.feature.properties.code) codes.push(layer.feature.properties.code);
      if (layer.options.fillColor) { filled += 1; fills.add(layer.options.fillColor); }
    }
  });
  const attribution = document.querySelector('.leaflet-control-attribution');
  const tooltip = document.querySelector('.leaflet-tooltip');
  return {features, filled, codes, markers, colours: fills.size, attribution: attribution ? attribution.innerText : '',
          tooltip: tooltip ? tooltip.innerHTML : null};
}
"""


def tooltip_at_map_centre(page):
    """Point at the middle of the page's map; returns the map's frame and its open tooltip."""
    frame, _ = map_frame(page)
    box = frame.frame_element().bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=10_000)
    return frame, tooltip


PROBE_JS = """
() => {
  const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
  const fills = [];
  map.eachLayer(layer => {
    if (layer.feature && layer.options && layer.options.fillColor) fills.push(layer.options.fillColor);
  });
  return {probe: window.__probe || null, zoom: map.getZoom(), fills: fills.join(",")};
}
"""


def change_indicator_keeps_map(page, frame, option: str, timeout: float = 30.0) -> tuple[dict, dict, float]:
    """Mark the map's window, zoom in, pick another indicator; return the state before and after and the
    seconds until the new colours were drawn. A rebuilt map would have lost the mark and the zoom."""
    frame.evaluate("() => { window.__probe = 'kept'; const m = Object.values(window).find("
                   "v => v && window.L && v instanceof L.Map); m.setZoom(m.getZoom() + 1, {animate: false}); }")
    before = frame.evaluate(PROBE_JS)
    page.get_by_role("combobox", name="Indicator", exact=True).click()
    page.keyboard.type(option.split(" (")[0])  # the list is virtual: filter it so the option is rendered
    started = time.monotonic()
    # options read "group › indicator" (by Regio Deal problem, then subject)
    page.get_by_role("option", name=re.compile(re.escape(f"› {option}") + "$")).click()
    deadline = started + timeout
    while time.monotonic() < deadline:
        try:
            after = frame.evaluate(PROBE_JS)
        except Exception:  # the frame was replaced: the map was rebuilt  # noqa: BLE001
            raise AssertionError("the map's frame was reloaded") from None
        if after["fills"] and after["fills"] != before["fills"]:
            return before, after, time.monotonic() - started
        page.wait_for_timeout(50)
    raise AssertionError("the map did not show the new indicator")


def map_frame(page, timeout: float = 30.0):
    """The frame of the streamlit-folium component once Leaflet has drawn its features (the base map and
    the layers swapped into it arrive one after the other: wait until the count holds still)."""
    deadline = time.monotonic() + timeout
    seen: dict = {}
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame == page.main_frame:
                continue
            try:
                state = frame.evaluate(MAP_STATE_JS)
            except Exception:  # frame still loading or detached  # noqa: BLE001
                continue
            if state and state["features"] > 0:
                if seen.get(frame) == (state["features"], state["filled"]):
                    return frame, state
                seen[frame] = (state["features"], state["filled"])
        page.wait_for_timeout(250)
    raise AssertionError("the map did not draw any area")
