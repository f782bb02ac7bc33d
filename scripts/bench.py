"""Measure what users wait for: sync, cache load, area building (and, later, map payloads).

    python scripts/bench.py [--repeat 5]

Runs offline against the PDOK snapshot (PARKSTAD_SNAPSHOT_DIR, default ../shared/pdok-snapshot),
once as a directory source and once through the local OGC API stand-in, so the HTTP client path is
measured too. Prints sizes and timings; writes nothing outside a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import cache  # noqa: E402
from geo.areas import build_areas  # noqa: E402
from geo.config import snapshot_dir  # noqa: E402
from geo.data import AreaData  # noqa: E402
from geo.sources import DirectorySource, PdokApiSource  # noqa: E402
from geo.sync import sync  # noqa: E402
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
    args = parser.parse_args()
    snapshot = snapshot_dir()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "cache"
        seconds, manifest = timed(lambda: sync(DirectorySource(snapshot), 2024, directory), 1)
        print(f"sync from snapshot directory      {seconds:7.2f} s")
        with StandIn(snapshot) as server:
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


if __name__ == "__main__":
    main()
