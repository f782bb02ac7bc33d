"""Measure what users wait for: sync, cache load, areas, map payload, rerun time, first map paint.

    python scripts/bench.py [--repeat 5]

Runs offline against the PDOK snapshot (PARKSTAD_SNAPSHOT_DIR, default ../shared/pdok-snapshot),
once as a directory source and once through the local OGC API stand-in, so the HTTP client path is
measured too. Prints sizes and timings; writes nothing outside a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.config import REPO_ROOT, snapshot_dir  # noqa: E402
from geo.data import cache  # noqa: E402
from geo.data.area_data import AreaData  # noqa: E402
from geo.data.sources import DirectorySource, PdokApiSource  # noqa: E402
from geo.data.sync import sync  # noqa: E402
from geo.maps.areas import build_areas  # noqa: E402
from geo.maps.choropleth import build_choropleth, prepare_geometry  # noqa: E402
from geo.maps.explorer import View, scope_frame  # noqa: E402
from geo.maps.leaflet import payload_bytes, simplify_coverage  # noqa: E402
from tests.pdok_server import StandIn  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def kib(n: int) -> str:
    return f"{n / 1024:,.1f} KiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the headless Chromium measurement")
    parser.add_argument("--runs", type=int, default=3, help="side-by-side runs (each starts every app afresh)")
    parser.add_argument("--only-server", action="store_true",
                        help="only the server and browser measurements (protocol CPU, profile, side by side)")
    args = parser.parse_args()
    snapshot = snapshot_dir()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "cache"
        if args.only_server:
            years_directory = years_cost(snapshot, Path(tmp), 1)
            if years_directory is None:
                sync(DirectorySource(snapshot), 2024, directory)
        else:
            years_directory = data_costs(snapshot, directory, Path(tmp), args.repeat)
        served = years_directory if years_directory is not None else directory
        script_cpu(served, args.repeat)
        if not args.no_browser:
            side_by_side(served, args.runs)


def data_costs(snapshot: Path, directory: Path, tmp: Path, repeat: int) -> Path | None:
    """Sync, cache, areas, data years, payloads, scale and rerun time; returns the five-year cache, if any."""
    seconds, manifest = timed(lambda: sync(DirectorySource(snapshot), 2024, directory), 1)
    print(f"sync from snapshot directory      {seconds:7.2f} s")
    with StandIn(snapshot) as server:
        os.environ["CBS_ODATA_URL"] = f"{server.url}/ODataApi/OData"  # answers 404: no trends, no waiting
        seconds, _ = timed(lambda: sync(PdokApiSource(server.url), 2024, tmp / "http"), 1)
        requests = sum("/items" in r for r in server.state.requests)
    print(f"sync through local OGC API server  {seconds:7.2f} s  ({requests} requests)")
    for name, layer in manifest["layers"].items():
        print(f"  cache layer {name:<10} {layer['features']:>4} features  {kib(layer['bytes']):>12}")
    seconds, _ = timed(lambda: cache.load_layers(directory), repeat)
    print(f"cache load, all layers (median)    {seconds * 1000:7.0f} ms   target < 500 ms")
    seconds, data = timed(lambda: AreaData.load(directory), repeat)
    print(f"AreaData.load incl. derived (med.) {seconds * 1000:7.0f} ms")
    seconds, _ = timed(lambda: build_areas(data), repeat)
    print(f"build 8 priority areas (median)    {seconds * 1000:7.0f} ms")
    years_directory = years_cost(snapshot, tmp, repeat)
    map_payloads(data, repeat)
    scale(snapshot, repeat)
    rerun_time(directory, repeat)
    os.environ.pop("CBS_ODATA_URL", None)
    return years_directory


def years_cost(snapshot: Path, tmp: Path, repeat: int) -> Path | None:
    """Cache size and load time for one data year against all five of the REAL multi-year snapshot
    (PARKSTAD_YEARS_SNAPSHOT_DIR: CBS figures for 2019, 2020, 2022, 2023 and 2024), and what a trend, an earlier
    year and a monitor cost."""
    from geo.config import years_snapshot_dir
    from geo.maps.monitor import monitor
    from geo.maps.trend import series

    source = years_snapshot_dir()
    if not (source / "cbs").is_dir():
        print(f"data years: skipped, no multi-year snapshot at {source}")
        return None
    print("data years: one against five (real CBS figures 2019, 2020, 2022, 2023, 2024):")
    for label, years in (("1 year ", [2024]), ("5 years", None)):
        directory = tmp / f"years-{len(years or range(5))}"
        seconds, manifest = timed(lambda years=years, directory=directory: sync(DirectorySource(source), years,
                                                                                directory), 1)
        size = sum(p.stat().st_size for p in (directory / manifest["generation"]).iterdir())
        load, data = timed(lambda directory=directory: AreaData.load(directory), repeat)
        first = data.years[0]
        older, _ = timed(lambda directory=directory, first=first: AreaData.load(directory).for_year(first), repeat)
        trend, _ = timed(lambda data=data: series(data, "heerlen-noord", "aantal_inwoners"), repeat)
        board, _ = timed(lambda data=data: monitor(data, "kerkrade-oost"), repeat)
        print(f"  {label}: sync {seconds:5.2f} s, cache {kib(size):>11}, load {load * 1000:5.0f} ms, "
              f"load + {first} {older * 1000:5.0f} ms, trend of a priority area {trend * 1000:5.0f} ms, "
              f"monitor {board * 1000:5.0f} ms (warm)")
        reports_cost(directory, repeat)
    return directory  # the five years: what the offline demo serves


COMPARED = ["kerkrade-oost", "heerlen-noord", "GM0917"]


def reports_cost(directory: Path, repeat: int) -> None:
    """What /vergelijk computes for three areas (first on a freshly loaded cache, then again), and the two PDF
    reports made from rows the page has already computed (what the pages do since they pass them on)."""
    from geo import report
    from geo.initiatives.schema import Reference, check_rows
    from geo.maps import comparison
    from geo.maps.monitor import monitor
    from tests.initiatives.test_initiatives import seed_rows

    data = AreaData.load(directory)
    cold, rows = timed(lambda: comparison.compare(data, COMPARED), 1)
    warm, _ = timed(lambda: comparison.compare(data, COMPARED), repeat)
    items = check_rows(seed_rows(), Reference.from_data(data)).initiatives
    names = {area: area for area in COMPARED}
    board = monitor(data, "kerkrade-oost")
    monitor_pdf, pdf = timed(lambda: report.monitor_pdf(report.report_input(data, "kerkrade-oost", "Kerkrade-Oost",
                                                                              "nl", items, board)), repeat)
    compare_pdf, other = timed(lambda: report.comparison_pdf(report.comparison_input(data, COMPARED, names, "nl",
                                                                                     items, rows)), repeat)
    print(f"           comparison of 3 areas {cold * 1000:5.0f} ms first, {warm * 1000:5.0f} ms again; "
          f"PDF monitor {monitor_pdf * 1000:5.0f} ms ({kib(len(pdf))}), "
          f"PDF comparison {compare_pdf * 1000:5.0f} ms ({kib(len(other))})")


def scale(snapshot: Path, repeat: int) -> None:
    """How map work grows with the number of areas: Limburg's 31 municipalities up to all 339 in the
    snapshot (the whole country at gemeente level), and the 449 buurten. Per set: coverage simplification at
    screen resolution, classification, features with tooltips, and the payload a browser receives."""
    import geopandas as gpd

    from geo.data.layers import LAYERS
    from geo.maps.choropleth import screen_tolerance
    from geo.maps.classify import classify
    from geo.maps.leaflet import RD_NEW, tooltip_html

    source = DirectorySource(snapshot)
    sets = []
    everything = source.fetch(LAYERS["gemeenten"], 2024, None)
    for n in (31, 100, 200, len(everything)):
        sets.append((f"gemeenten {n:>3}", everything.iloc[:n]))
    sets.append(("buurten   449", source.fetch(LAYERS["buurten"], 2024, None)))
    print("scale: areas -> map work and payload (one rerun's share of building the map):")
    for label, frame in sets:
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")

        def build(frame=frame):
            tolerance = screen_tolerance(tuple(frame.to_crs(RD_NEW).total_bounds))
            geoms = simplify_coverage(frame, tolerance)
            values = frame["aantal_inwoners"] if "aantal_inwoners" in frame else frame.to_crs(RD_NEW).area
            classes = classify(values, "quantiles", 5)
            colours = classes.colours().to_numpy()
            names = frame.iloc[:, 0].astype(str).to_numpy()
            features = [{"type": "Feature", "properties": {"fill": colours[i], "tip": tooltip_html(names[i], ["x"])},
                         "geometry": json.loads(shapely.to_geojson(g))} for i, g in enumerate(geoms.values)]
            return {"type": "FeatureCollection", "features": features}

        seconds, collection = timed(build, repeat)
        print(f"  {label}: prepare + classify + features {seconds * 1000:6.0f} ms, payload "
              f"{kib(payload_bytes(collection)):>11}")


def map_payloads(data: AreaData, repeat: int) -> None:
    """Browser payload of the prepared map against naive full-detail GeoJSON of the same areas."""
    print("map payload (prepared vs naive GeoJSON with all properties):")
    for level, area in (("buurt", "all"), ("buurt", "GM0917"), ("gemeente", "limburg"), ("wijk", "all")):
        seconds, prepared = timed(lambda level=level, area=area: prepare_geometry(data, level, area), repeat)
        view = View(level=level, area=area, indicator="aantal_inwoners")
        ours = payload_bytes(prepared.collection(build_choropleth(data, view).properties))
        naive = payload_bytes(json.loads(scope_frame(data, level, area).to_json()))
        print(f"  {level:<8} {area:<8} {len(prepared.codes):>3} areas  {kib(ours):>11} vs {kib(naive):>11}"
              f"  = 1/{naive / ours:4.1f}   (prepare {seconds * 1000:4.0f} ms, once per level and scope)")
    live_detail_estimate(data)


def live_detail_estimate(data: AreaData) -> None:
    """The snapshot has full-detail buurten only for Heerlen (57); scale them to all 449 as live PDOK has them."""
    prepared_all = prepare_geometry(data, "buurt", "all")
    heerlen = data.layers["buurten"][data.layers["buurten"]["gemeentecode"] == "GM0917"]
    simplified = simplify_coverage(heerlen, prepared_all.tolerance)
    view = View(level="buurt", area="GM0917", indicator="aantal_inwoners")
    properties = build_choropleth(data, view).properties
    ours = payload_bytes({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": properties[code], "geometry": json.loads(shapely.to_geojson(geom))}
        for code, geom in zip(heerlen["buurtcode"], simplified.values, strict=True)]})
    naive = payload_bytes(json.loads(heerlen.to_json()))
    factor = len(prepared_all.codes) / len(heerlen)
    print(f"  estimate for live PDOK detail, 449 buurten at {prepared_all.tolerance:.0f} m: "
          f"{kib(ours * factor)} vs {kib(naive * factor)} = 1/{naive / ours:4.1f}   (target <= 400 KiB, <= 1/5)")


def rerun_time(directory: Path, repeat: int) -> None:
    """Server time of an explorer rerun after changing the indicator (AppTest, caches warm)."""
    from streamlit.testing.v1 import AppTest

    os.environ["PARKSTAD_DATA_DIR"] = str(directory)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    at.query_params["level"] = "buurt"
    at.query_params["area"] = "all"
    at.run()
    indicator = next(w for w in at.selectbox if w.label == "Indicator")
    times = []
    for i in range(repeat * 2):
        value = "percentage_personen_65_jaar_en_ouder" if i % 2 == 0 else "aantal_inwoners"
        indicator.set_value(value)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        indicator = next(w for w in at.selectbox if w.label == "Indicator")
    print(f"explorer rerun after indicator change, 449 buurten (median of {len(times)}) "
          f"{statistics.median(times) * 1000:5.0f} ms   target <= 300 ms")


NAIVE_INDICATOR = "bijstand_pct_kwartaal"  # a buurt figure of the latest data year in the snapshots
EXPLORER = f"/?level=buurt&area=all&indicator={NAIVE_INDICATOR}"
PROFILED_PAGES = (("", EXPLORER[2:]), ("monitor", "area=parkstad"), ("buurt", "buurt=BU09171000"))


def cdn_from_disk(page) -> None:
    """For the naive app only: folium points it at CDNs, which do not exist here. Serve the libraries it needs
    (Leaflet, jQuery, d3 3.x for the Choropleth's legend) from local copies (the dashboard's, and XStatic-D3),
    answer its other outside files (Bootstrap, Font Awesome, a second d3) with an empty file, and abort the
    rest (tiles). That spares the naive app every download from the internet: its figures are a lower bound."""
    import folium

    from geo.maps.assets import ASSETS, package_dir
    from tests.browser import LOOPBACK

    local = {url: package_dir(ASSETS[name][0]) / ASSETS[name][1]
             for name, url in (*folium.Map.default_js, *folium.Map.default_css) if name in ASSETS}
    local["https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js"] = package_dir("d3") / "d3.js"

    def handle(route):
        url = route.request.url
        if url.startswith(LOOPBACK):
            return route.continue_()
        if url in local:
            return route.fulfill(status=200, body=local[url].read_bytes(),
                                 content_type="text/css" if url.endswith(".css") else "application/javascript")
        if url.split("?")[0].endswith((".js", ".css")):
            return route.fulfill(status=200, body="", content_type="application/javascript")
        return route.abort()

    page.context.route("**/*", handle)


def painted(page, started: float, timeout: float = 90.0) -> tuple[float, int]:
    """Seconds from `started` until Leaflet showed the final number of areas (polled every 50 ms, final once it
    held for a second), and that number."""
    from tests.browser import MAP_STATE_JS

    deadline, count, since = time.monotonic() + timeout, 0, None
    while time.monotonic() < deadline:
        features = 0
        for frame in page.frames[1:]:
            try:
                state = frame.evaluate(MAP_STATE_JS)
            except Exception:  # noqa: BLE001, S112 - a frame still loading
                continue
            features = max(features, state["features"] if state else 0)
        if features != count:
            count, since = features, time.perf_counter()
        elif count and time.perf_counter() - since >= 1.0:
            return since - started, count
        page.wait_for_timeout(50)
    text = page.locator("body").inner_text()[:300].replace("\n", " | ")
    raise AssertionError(f"the map did not draw within {timeout:.0f} s; the page said: {text}")


def heading_shown(page, started: float, text: str) -> tuple[float, int]:
    page.get_by_role("heading", name=text).wait_for(timeout=90_000)
    return time.perf_counter() - started, 0


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    """min / median / max"""
    if not values:
        return "-"
    parts = [f"{v * scale:.2f}" for v in (min(values), statistics.median(values), max(values))]
    return " / ".join(parts) + f" {unit}"


class App:
    """One app measured side by side: how to start it, which page, when it has painted."""

    def __init__(self, name: str, env: dict, script: str, cwd: Path, options: tuple, path: str, wait, route,
                 launcher: bool = False):
        self.name, self.env, self.script, self.cwd, self.options = name, env, script, cwd, options
        self.launcher = launcher
        self.path, self.wait, self.route = path, wait, route
        self.cold, self.warm, self.cpu, self.received, self.areas = [], [], [], [], 0

    def server(self):
        from tests.browser import StreamlitServer

        return StreamlitServer(self.env, script=self.script, cwd=self.cwd, options=self.options,
                               launcher=self.launcher)


def visit(browser, app: App, server, context=None) -> tuple[float, float, int]:
    """Open the app's page in a new tab: (seconds to paint, server CPU seconds, websocket bytes received)."""
    from scripts.process_stats import cpu_seconds

    page = (context or browser).new_page()
    app.route(page)
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: received.append(len(data))))
    before = cpu_seconds(server.process.pid)
    started = time.perf_counter()
    page.goto(server.url + app.path)
    seconds, areas = app.wait(page, started)
    page.wait_for_timeout(500)  # the run's last messages
    cpu = cpu_seconds(server.process.pid) - before
    app.areas = areas or app.areas
    page.close()
    return seconds, cpu, sum(received)


def side_by_side(directory: Path, runs: int) -> None:
    """First map paint (cold: a fresh server and browser; warm: the server's caches filled, the browser's HTTP
    cache too), server CPU and websocket bytes per page, for the dashboard and for the naive app
    (scripts/naive_app.py: geopandas + folium.Choropleth + st_folium) on the same 449 buurten, alternating
    within one run; an empty Streamlit page for scale."""
    from playwright.sync_api import sync_playwright

    from geo.data.area_data import AreaData
    from tests.browser import CHROMIUM, CHROMIUM_ARGS, block_outside_requests

    layer = directory.parent / "naive-buurten.geojson"
    buurten = AreaData.load(directory).layers["buurten"]
    buurten.drop(columns=["cbs_sentinels"], errors="ignore").to_file(layer, driver="GeoJSON")
    bare = directory.parent / "bare"  # no .streamlit/config.toml: Streamlit's defaults, as a user has them
    bare.mkdir(exist_ok=True)
    apps = [
        App("this project", {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9"}, "app.py",
            REPO_ROOT, (), EXPLORER, painted, block_outside_requests, launcher=True),  # serve.py, as deployed
        App("naive app", {"NAIVE_LAYER": str(layer), "NAIVE_COLUMN": NAIVE_INDICATOR},
            str(REPO_ROOT / "scripts" / "naive_app.py"), bare, (), "/", painted, cdn_from_disk),
        App("empty page", {}, str(REPO_ROOT / "scripts" / "empty_app.py"), bare, (), "/",
            lambda page, started: heading_shown(page, started, "Leeg"), block_outside_requests),
    ]
    print(f"side by side, {runs} runs, alternating (449 buurten, {NAIVE_INDICATOR}; wall clock on a shared "
          "2-core machine: read ranges and ratios):")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(runs):
            for app in apps:
                with app.server() as server:
                    context = browser.new_context()  # an empty HTTP cache: a first visitor
                    seconds, cpu, _ = visit(browser, app, server, context)
                    app.cold.append(seconds)
                    if app.launcher:  # serve.py's warm-up visitor: gone before the warm figures are taken
                        server.wait_for_log("warm-up finished")
                    for _ in range(2):
                        seconds, cpu, received = visit(browser, app, server, context)
                        app.warm.append(seconds)
                        app.cpu.append(cpu)
                        app.received.append(received)
                    context.close()
        browser.close()
    ours, naive, empty = apps
    print(f"  {'':34} {'this project':>24}   {'naive app':>24}   {'empty page (heading)':>24}")
    for label, attribute, unit, scale in (("first paint, warm (min/med/max)", "warm", "s", 1),
                                          ("first paint, cold", "cold", "s", 1),
                                          ("server CPU per page (browser)", "cpu", "s", 1),
                                          ("websocket bytes per page", "received", "KiB", 1 / 1024)):
        cells = [spread(getattr(a, attribute), unit, scale) for a in apps]
        print(f"  {label:<34} {cells[0]:>24}   {cells[1]:>24}   {cells[2]:>24}")
    print(f"  areas drawn: {ours.areas} (this project), {naive.areas} (naive app)")
    warm, naive_warm = statistics.median(ours.warm), statistics.median(naive.warm)
    cold = statistics.median(ours.cold)
    print(f"  targets: warm paint <= naive app's: {warm:.2f} vs {naive_warm:.2f} s "
          f"({'met' if warm <= naive_warm else 'NOT met'}, ratio {warm / naive_warm:.2f}); <= 2 s on a quiet "
          f"machine: {'met' if warm <= 2 else 'not met here'}; cold <= 1.5 x warm: {cold / warm:.2f} x "
          f"({'met' if cold <= 1.5 * warm else 'NOT met'}); empty page's heading {statistics.median(empty.warm):.2f} s "
          "is the floor of any page on this machine")


def script_cpu(directory: Path, repeat: int) -> None:
    """Server CPU of one page run at the protocol level (a new session asks for the page and reads until the run
    finished: no browser, no static files), per page, and the profile's top entries for the explorer."""
    import asyncio

    from scripts.process_stats import cpu_seconds
    from serving.streamlit_client import Session
    from tests.browser import StreamlitServer

    env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9"}

    async def measure(server, name: str, query: str, times: int) -> tuple[list[float], list[float]]:
        first, again = [], []
        for _ in range(times):
            session = Session(server.url)
            await session.open()
            before = cpu_seconds(server.process.pid)
            await session.page(name, query, 120)
            first.append(cpu_seconds(server.process.pid) - before)
            before = cpu_seconds(server.process.pid)
            await session.page(name, query, 120)  # the same view again: a rerun that changes nothing
            again.append(cpu_seconds(server.process.pid) - before)
            await session.close()
        return first, again

    print("server CPU per page run, protocol level (min / median / max):")
    with StreamlitServer(env, options=(), launcher=True) as server:
        server.wait_for_log("warm-up finished")  # serve.py's warm-up visitor has left: measure visitors only
        for name, query in PROFILED_PAGES:
            asyncio.run(measure(server, name, query, 1))  # caches filled
            first, again = asyncio.run(measure(server, name, query, repeat * 2))
            target = "   target <= 0.15 s" if not name else ""
            print(f"  /{name:<8} new visitor {spread(first)}, same view again {spread(again)}{target}")
        profile(server, lambda: asyncio.run(measure(server, *PROFILED_PAGES[0], repeat * 2)), repeat * 4)


RATE = 250  # py-spy samples per second


def profile(server, work, pages: int, top: int = 12) -> None:
    """Sample the running server with py-spy (only threads holding the GIL: CPU, not sleeping threads) while
    `work` opens `pages` pages; print where the CPU went, in ms per page: by thread (page script, event loop) and
    by the project's own functions and the library calls they make (inclusive)."""
    import shutil
    import subprocess

    spy = shutil.which("py-spy")
    if spy is None:
        print("  profile: skipped (py-spy not installed: pip install -r requirements.txt)")
        return
    out = Path(tempfile.mkdtemp()) / "profile.txt"
    sampler = subprocess.Popen([spy, "record", "--pid", str(server.process.pid), "--gil", "--rate", str(RATE),
                                "--format", "raw", "--output", str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    time.sleep(1.0)
    work()
    sampler.send_signal(2)
    _, err = sampler.communicate(timeout=60)
    if not out.is_file():
        print(f"  profile: py-spy could not sample ({err.decode(errors='replace').strip()[:200]})")
        return
    threads: dict[str, int] = {}
    functions: dict[str, int] = {}
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        kind = ("page script" if any("_run_script_thread" in f for f in frames) else
                "event loop (websocket, HTTP, files)" if any("run_forever" in f for f in frames) else "other")
        threads[kind] = threads.get(kind, 0) + int(count)
        seen, inside = set(), False
        for frame in frames:
            name, _, where = frame.partition(" (")
            path = where.rsplit(":", 1)[0]
            own = any(part in path for part in ("app_pages/", "/geo/", "app.py")) or \
                path.startswith("geo/")
            if own and "run_page" not in name:
                key = f"{name} ({path.split(str(REPO_ROOT) + '/')[-1]})"
            elif inside and not own:
                key = f"  -> {name} ({'/'.join(Path(path).parts[-2:])})"  # the library call a project line makes
            else:
                inside = own
                continue
            inside = own
            if key not in seen:
                seen.add(key)
                functions[key] = functions.get(key, 0) + int(count)
    per_page = 1000 / RATE / pages
    total = sum(threads.values())
    print(f"  profile of {pages} explorer pages (py-spy --gil, {total} samples = {total * per_page:.0f} ms CPU per "
          "page):")
    for kind, count in sorted(threads.items(), key=lambda item: -item[1]):
        print(f"    {count * per_page:6.0f} ms  {kind}")
    print("    top functions of the page script, inclusive (-> a library call made by the line above it):")
    for key, count in sorted(functions.items(), key=lambda item: -item[1])[:top]:
        print(f"    {count * per_page:6.0f} ms  {key}")


if __name__ == "__main__":
    main()
