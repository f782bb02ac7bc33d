"""Helpers for end-to-end tests: a real `streamlit run` on 127.0.0.1 and headless Chromium.

streamlit-folium loads Leaflet and friends from CDNs, which are unreachable here: requests for them
are answered from local copies (`npm pack` into tests/.cache), other CDN assets get an empty body
and map tiles are aborted, so the map renders without a basemap.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import requests

from geo.config import REPO_ROOT

CACHE = REPO_ROOT / "tests" / ".cache" / "npm"
PACKAGES = {"leaflet": "1.9.3", "jquery": "3.7.1", "leaflet.markercluster": "1.1.0"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def npm_assets() -> dict[str, Path]:
    """Local copies of the CDN files the map needs, fetched once with `npm pack`."""
    CACHE.mkdir(parents=True, exist_ok=True)
    for name, version in PACKAGES.items():
        target = CACHE / f"{name}-{version}"
        if target.is_dir():
            continue
        subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=CACHE, check=True,
                       capture_output=True, timeout=180)
        tgz = CACHE / f"{name}-{version}.tgz"
        with tarfile.open(tgz) as archive:
            archive.extractall(target, filter="data")
        tgz.unlink()
    return {
        "leaflet.js": CACHE / "leaflet-1.9.3" / "package" / "dist" / "leaflet.js",
        "leaflet.css": CACHE / "leaflet-1.9.3" / "package" / "dist" / "leaflet.css",
        "jquery-3.7.1.min.js": CACHE / "jquery-3.7.1" / "package" / "dist" / "jquery.min.js",
        **{name: CACHE / "leaflet.markercluster-1.1.0" / "package" / "dist" / name
           for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")},
    }


def route_cdn(page, assets: dict[str, Path]) -> None:
    """Serve CDN requests locally, give other external assets an empty body, abort tiles."""

    def handle(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
            return route.continue_()
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if name in assets:
            kind = "text/css" if name.endswith(".css") else "application/javascript"
            return route.fulfill(status=200, body=assets[name].read_bytes(), content_type=kind)
        if name.endswith(".css"):
            return route.fulfill(status=200, body="", content_type="text/css")
        if name.endswith(".js"):
            return route.fulfill(status=200, body="", content_type="application/javascript")
        return route.abort()  # tiles, fonts, telemetry

    page.context.route("**/*", handle)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """`streamlit run app.py` in its own process group; stopped (with its children) on exit."""

    def __init__(self, env: dict[str, str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None
        self.log = REPO_ROOT / "tests" / ".cache" / f"streamlit-{self.port}.log"

    def __enter__(self) -> StreamlitServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO_ROOT, env=self.env, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
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

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


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


def map_frame(page, timeout: float = 30.0):
    """The frame of the streamlit-folium component once Leaflet has drawn its features."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame == page.main_frame:
                continue
            try:
                state = frame.evaluate(MAP_STATE_JS)
            except Exception:  # frame still loading or detached  # noqa: BLE001
                continue
            if state and state["features"] > 0:
                return frame, state
        page.wait_for_timeout(250)
    raise AssertionError("the map did not draw any area")
