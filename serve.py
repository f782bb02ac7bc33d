"""Production launcher: `python serve.py [streamlit options]`, what deploy/ runs (`streamlit run app.py` works too).

A fresh Streamlit process makes its first visitor wait for everything no visitor depends on: importing
geopandas, folium and altair, reading the cache, simplifying the map geometry (measured: 3.5 s of server time
for the first explorer page against 0.1 s for the next). This launcher
1. imports those libraries and loads the latest cache generation *before* the server listens, so that
   `/_stcore/health` (what a proxy or Kubernetes checks) answers only when that work is done;
2. runs `streamlit run app.py` in this process with the options given (`.streamlit/config.toml` applies; the
   preloading happens once Streamlit has read them, just before its server starts);
3. once the server answers, sends one warm-up visitor (serving/streamlit_client.py) to each page's default view,
   so that the results shared by all sessions are computed before the first visitor asks for them.
A cache that is missing or unreadable is left to the app, which explains it to the visitor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARM_UP_PAGES = ("", "monitor", "buurt", "gebieden", "initiatieven", "over")  # url paths, default views

log = logging.getLogger("parkstad.serve")


def preload() -> None:
    """The libraries and the data every page needs, into this process's caches."""
    # Not streamlit_folium: a component declared before the server runs is not served (its frame stays empty).
    import altair  # noqa: F401
    import folium  # noqa: F401
    import geopandas  # noqa: F401

    from app_pages import common
    from geo.maps import explorer

    started = time.perf_counter()
    common.ensure_map_assets()
    try:
        area_data = common.data()
    except Exception as exc:  # noqa: BLE001 - no cache yet, or a damaged one: the pages say so to the visitor
        log.warning("no cache to preload (%s); the app will explain", exc)
        return
    view = explorer.View()
    common.prepared_geometry(view.level, view.area)
    log.warning("preloaded %s (data years %s) in %.1f s", area_data.manifest.get("generation"),
                ", ".join(map(str, area_data.years)), time.perf_counter() - started)


def warm_up(url: str, pages=WARM_UP_PAGES, timeout: float = 120) -> list[str]:
    """Wait until the server answers, then open each page's default view once; returns the problems."""
    import requests

    from serving.streamlit_client import Session

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/_stcore/health", timeout=2).ok:
                break
        except requests.RequestException:
            pass
        time.sleep(0.2)

    async def visit() -> list[str]:
        session = Session(url)
        await session.open()
        problems = [problem for name in pages for problem in await session.errors(name, "", timeout)]
        with contextlib.suppress(Exception):  # a server stopping meanwhile is no problem of the warm-up
            await session.close()
        return problems

    started = time.perf_counter()
    try:
        problems = asyncio.run(visit())
    except Exception as exc:  # noqa: BLE001 - a failed warm-up only means the first visitor waits
        problems = [f"warm-up visitor failed: {exc}"]
    log.warning("warm-up finished: %d pages in %.1f s%s", len(pages), time.perf_counter() - started,
                ("; problems: " + "; ".join(problems)) if problems else "")
    return problems


def local_url() -> str:
    """The server as seen from this machine (it may listen on every address), from Streamlit's parsed options."""
    from streamlit import config

    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://127.0.0.1:{config.get_option('server.port')}" + (f"/{base}" if base else "")


def secrets_from_files() -> None:
    """Streamlit reads its cookie secret (which signs the XSRF cookie: every replica needs the same one) only from
    its config or the environment; a deployment may hand it over as a file (STREAMLIT_SERVER_COOKIE_SECRET_FILE)."""
    from geo.config import secret

    value = secret("STREAMLIT_SERVER_COOKIE_SECRET")
    if value:
        os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = value


def main(arguments: list[str]) -> None:
    os.chdir(HERE)  # .streamlit/config.toml and app.py are found from here
    sys.path.insert(0, str(HERE))
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    secrets_from_files()
    from streamlit.web import bootstrap, cli

    start_server = bootstrap.run

    def preload_then_run(*args, **kwargs):  # Streamlit has parsed its options (config file, flags) by now
        preload()
        threading.Thread(target=warm_up, args=(local_url(),), daemon=True).start()
        return start_server(*args, **kwargs)

    bootstrap.run = preload_then_run
    sys.argv = ["streamlit", "run", str(HERE / "app.py"), *arguments]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
