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
    args = parser.parse_args()
    snapshot = snapshot_dir()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "cache"
        seconds, manifest = timed(lambda: sync(DirectorySource(snapshot), 2024, directory), 1)
        print(f"sync from snapshot directory      {seconds:7.2f} s")
        with StandIn(snapshot) as server:
            os.environ["CBS_ODATA_URL"] = f"{server.url}/ODataApi/OData"  # answers 404: no trends, no waiting
            seconds, _ = timed(lambda: sync(PdokApiSource(server.url), 2024, Path(tmp) / "http"), 1)
            requests = sum("/items" in r for r in server.state.requests)
        print(f"sync through local OGC API server  {seconds:7.2f} s  ({requests} requests)")
        for name, layer in manifest["layers"].items():
            print(f"  cache layer {name:<10} {layer['features']:>4} features  {kib(layer['bytes']):>12}")
        seconds, _ = timed(lambda: cache.load_layers(directory), args.repeat)
        print(f"cache load, all layers (median)    {seconds * 1000:7.0f} ms   target < 500 ms")
        seconds, data = timed(lambda: AreaData.load(directory), args.repeat)
        print(f"AreaData.load incl. derived (med.) {seconds * 1000:7.0f} ms")
        seconds, _ = timed(lambda: build_areas(data), args.repeat)
        print(f"build 8 priority areas (median)    {seconds * 1000:7.0f} ms")
        years_cost(snapshot, Path(tmp), args.repeat)
        map_payloads(data, args.repeat)
        scale(snapshot, args.repeat)
        rerun_time(directory, args.repeat)
        if not args.no_browser:
            first_paint(directory)


def years_cost(snapshot: Path, tmp: Path, repeat: int) -> None:
    """Cache size and load time for one data year against all five of the REAL multi-year snapshot
    (PARKSTAD_YEARS_SNAPSHOT_DIR: CBS figures for 2019, 2020, 2022, 2023 and 2024), and what a trend, an earlier
    year and a monitor cost."""
    from geo.config import years_snapshot_dir
    from geo.maps.monitor import monitor
    from geo.maps.trend import series

    source = years_snapshot_dir()
    if not (source / "cbs").is_dir():
        print(f"data years: skipped, no multi-year snapshot at {source}")
        return
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


def first_paint(directory: Path) -> None:
    """Time from navigation to Leaflet having drawn the areas, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser import (
        CHROMIUM,
        CHROMIUM_ARGS,
        StreamlitServer,
        block_outside_requests,
        change_indicator_keeps_map,
        map_frame,
    )

    env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9"}
    with StreamlitServer(env) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label in ("cold (first visit)", "warm (caches filled)"):
            page = browser.new_page()
            block_outside_requests(page)
            started = time.perf_counter()
            page.goto(server.url + "/?level=buurt&area=all&indicator=aantal_inwoners")
            _, state = map_frame(page, timeout=60)
            print(f"first map paint, 449 buurten, {label:<22} {time.perf_counter() - started:5.2f} s "
                  f"({state['filled']} areas drawn)")
            if label.startswith("warm"):
                frame, _ = map_frame(page)
                before, after, seconds = change_indicator_keeps_map(page, frame, "Bijstand (% van inwoners 15+)")
                kept = after["probe"] == "kept" and after["zoom"] == before["zoom"]
                print(f"indicator change to new colours in the browser     {seconds:5.2f} s "
                      f"(map kept, zoom kept: {'yes' if kept else 'NO'})")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
