"""Many users at once: concurrent sessions on a mix of pages while `geo sync` replaces the cache.

    python scripts/load.py [--sessions 20] [--pages 3] [--seconds 240]

Everything runs on 127.0.0.1: a local PDOK stand-in (serving the snapshot plus derived earlier years,
tests/derived_years.py), `streamlit run app.py`, and one `python -m geo sync` against the stand-in started
while the sessions run. Each session is a real Streamlit client at the protocol level: it opens the
app's websocket like a browser tab, asks for a page (query string and page name) and reads every message
until the script has finished. That loads the server as 20 open tabs would, without 20 browsers competing
for this machine's two cores (the browser's own share is what scripts/bench.py measures as first paint).
Bounded in sessions, pages and seconds; it stops by itself.

Reports p50/p95 page times (request until the page's script finished), server memory per open session,
and errors: exception elements on a page, timeouts, a failed sync, and any traceback in the server log
(a page that read a half-written cache would show up there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from geo.config import REPO_ROOT, snapshot_dir  # noqa: E402
from geo.data.sources import PdokApiSource  # noqa: E402
from geo.data.sync import sync  # noqa: E402
from tests.browser import StreamlitServer  # noqa: E402
from tests.derived_years import build  # noqa: E402
from tests.pdok_server import StandIn  # noqa: E402
from tests.protocol import Session  # noqa: E402

PAGES = [  # (page name as in the URL path, query string)
    ("", "level=buurt&area=all&indicator=aantal_inwoners"),
    ("", "level=gemeente&area=parkstad&indicator=misdrijven_per_1000_inwoners&change=2022&sel=GM0928"),
    ("monitor", "area=parkstad"),
    ("monitor", "area=kerkrade-oost"),
    ("buurt", "buurt=BU09171000"),
    ("initiatieven", ""),
    ("gebieden", ""),
    ("over", ""),
]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children, in KiB (Linux /proc)."""
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        direct = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [c for d in direct for c in (d, *_children(d))]


async def run_sessions(server: StreamlitServer, sessions: int, pages: int, timeout: float, sync_command,
                       deadline: float) -> tuple[list, dict]:
    rng = random.Random(7)  # noqa: S311 - a reproducible mix of pages, not security
    warm = Session(server.url)  # one visit first, so that memory per session excludes the data caches
    await warm.open()
    for name, query in PAGES:
        await warm.page(name, query, timeout)
    await warm.close()
    memory = {"before": rss_kib(server.process.pid)}
    clients = [Session(server.url) for _ in range(sessions)]
    await asyncio.gather(*(c.open() for c in clients))
    syncing = await asyncio.create_subprocess_exec(*sync_command, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE, cwd=REPO_ROOT)

    async def browse(client: Session, seed: float) -> list:
        chosen = random.Random(seed).sample(PAGES, k=pages)  # noqa: S311
        return [(f"/{n}?{q}", *await client.page(n, q, timeout)) for n, q in chosen]

    tasks = [asyncio.create_task(browse(c, rng.random())) for c in clients]
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
    memory["during"] = rss_kib(server.process.pid)  # every session still open
    for task in pending:
        task.cancel()
    _, sync_err = await syncing.communicate()
    memory["sync_rc"], memory["sync_err"] = syncing.returncode, sync_err.decode()[-300:]
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    results = [r for task in done if not task.cancelled() for r in task.result()]
    memory["unfinished"] = len(pending)
    return results, memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", type=int, default=3, help="pages per session (a random mix)")
    parser.add_argument("--seconds", type=float, default=240, help="give up after this long")
    parser.add_argument("--page-timeout", type=float, default=60)
    parser.add_argument("--no-sync", action="store_true", help="no geo sync during the run (steady state)")
    args = parser.parse_args()
    sessions, pages = min(args.sessions, 50), min(args.pages, len(PAGES))  # bounded whatever is asked
    deadline = time.monotonic() + min(args.seconds, 900)
    with tempfile.TemporaryDirectory() as tmp:
        source = build(snapshot_dir(), Path(tmp) / "source")
        with StandIn(source) as pdok:
            os.environ["CBS_ODATA_URL"] = os.environ["CBS_DATADERDEN_URL"] = f"{pdok.url}/ODataApi/OData"
            directory = Path(tmp) / "data"
            sync(PdokApiSource(pdok.url), None, directory)
            env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": pdok.url, "DATABASE_URL": "",
                   "CBS_ODATA_URL": os.environ["CBS_ODATA_URL"], "CBS_DATADERDEN_URL": os.environ["CBS_ODATA_URL"]}
            sync_command = [sys.executable, "-m", "geo", "sync", "--source", pdok.url]
            if args.no_sync:
                sync_command = [sys.executable, "-c", "pass"]
            os.environ["PARKSTAD_DATA_DIR"] = str(directory)  # for the sync subprocess
            with StreamlitServer(env) as server:
                started = time.perf_counter()
                results, memory = asyncio.run(run_sessions(server, sessions, pages, args.page_timeout,
                                                           sync_command, deadline))
                elapsed = time.perf_counter() - started
                log = server.log.read_text(errors="replace")
    times = [seconds for _, seconds, error in results if error is None]
    per_session = (memory["during"] - memory["before"]) / 1024 / max(sessions, 1)
    errors = [error for _, _, error in results if error]
    tracebacks = log.count("Traceback")
    during = "no sync" if args.no_sync else f"one geo sync during the run (exit {memory['sync_rc']})"
    print(f"{sessions} sessions x {pages} pages in {elapsed:.1f} s, {during}")
    if times:
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(f"page times: p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s "
              f"({len(times)} pages)")
    for path in sorted({p for p, _, _ in results}):
        mine = sorted(s for p, s, e in results if p == path and e is None)
        if mine:
            print(f"  {path:<90} n={len(mine):>2}  p50 {statistics.median(mine):5.2f} s")
    print(f"server memory: {memory['before'] / 1024:.0f} MiB warm, {memory['during'] / 1024:.0f} MiB with "
          f"{sessions} sessions open = {per_session:.1f} MiB per session")
    print(f"errors: {len(errors)} on pages, {memory['unfinished']} sessions unfinished, {tracebacks} tracebacks "
          f"in the server log, sync {'ok' if memory['sync_rc'] == 0 else 'FAILED: ' + memory['sync_err']}")
    for error in errors[:10]:
        print(f"  {error}")
    if tracebacks:
        print(log[log.index("Traceback"):][:2000])
    sys.exit(1 if errors or tracebacks or memory["sync_rc"] or memory["unfinished"] else 0)


if __name__ == "__main__":
    main()
