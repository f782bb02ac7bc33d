"""Many users at once: concurrent sessions on a mix of pages while `geo sync` replaces the cache.

    python scripts/load.py [--sessions 20] [--pages 3] [--seconds 240]
    python scripts/load.py --proxy --replicas 1,2 --kill-one      # the deployment of deploy/, without Docker

Everything runs on 127.0.0.1: a local PDOK stand-in (serving the snapshot plus derived earlier years,
tests/derived_years.py), the app, and one `python -m geo sync` against the stand-in started while the sessions
run. Each session is a real Streamlit client at the protocol level (serving/streamlit_client.py): it opens the app's
websocket like a browser tab, asks for a page (query string and page name) and reads every message until the
script has finished. That loads the server as 20 open tabs would, without 20 browsers competing for this
machine's two cores (the browser's own share is what scripts/bench.py measures as first paint).

With --proxy, the app is deploy/compose.yaml without Docker (tests/proxy.py): replicas of serve.py sharing one
cache folder and a throwaway PostgreSQL server, behind HAProxy started with deploy/haproxy.cfg. Sessions keep
the proxy's sticky cookie. For each replica count in --replicas the same run is made and the page times are
printed side by side. With --kill-one, one replica is killed (SIGKILL) once half the pages are served: its
sessions connect again through the proxy and ask for their view again (their state is in the URL); and
initiatives are imported into PostgreSQL meanwhile, all of which must be there afterwards.

Reports p50/p95 page times (request until the page's script finished), server memory per open session, and
errors: exception elements on a page, timeouts, lost connections, a failed sync, lost initiatives, and any
traceback in a server log (a page that read a half-written cache would show up there). Bounded in sessions,
pages and seconds; exits non-zero on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from geo.config import REPO_ROOT, snapshot_dir  # noqa: E402
from geo.data.sources import PdokApiSource  # noqa: E402
from geo.data.sync import sync  # noqa: E402
from scripts.process_stats import rss_kib  # noqa: E402
from serving.streamlit_client import Session  # noqa: E402
from tests.browser import StreamlitServer  # noqa: E402
from tests.derived_years import build  # noqa: E402
from tests.pdok_server import StandIn  # noqa: E402

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
WRITTEN = 5  # initiatives imported during a --kill-one run


class Single:
    """One `streamlit run app.py`, as before a deployment."""

    def __init__(self, env: dict[str, str]):
        self.server = StreamlitServer(env)
        self.url = self.server.url

    def __enter__(self):
        self.server.__enter__()
        return self

    def __exit__(self, *exc):
        self.server.__exit__(*exc)

    def pids(self) -> list[int]:
        return [self.server.process.pid]

    def logs(self) -> str:
        return self.server.log.read_text(errors="replace")

    def kill(self, index: int) -> None:
        raise ValueError("--kill-one needs --proxy and at least two replicas")


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def write_initiatives(path: Path, run: int) -> None:
    """WRITTEN new, valid initiatives as a staff member's upload would bring them."""
    header = ["initiative_id", "name", "programme", "area_id", "gemeentecodes", "buurtcodes", "theme_ids",
              "partners", "budget_eur", "status", "status_as_of", "start_year", "end_year", "description_nl",
              "source_url"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(WRITTEN):
            writer.writerow([f"load-{run}-{i}", f"Buurtkamer {run}.{i}", "Lasttest", "", "GM0917", "", "ontmoeting",
                             "A", "1000", "running", "2025", "2024", "", "Tijdens een lasttest ingevoerd.",
                             "https://example.org/lasttest"])


async def run_sessions(app, sessions: int, pages: int, timeout: float, commands: list[list[str]], deadline: float,
                       kill: bool) -> tuple[list, dict]:
    rng = random.Random(7)  # noqa: S311 - a reproducible mix of pages, not security
    warm = Session(app.url)  # one visit first, so that memory per session excludes the data caches
    for name, query in PAGES:
        await warm.page(name, query, timeout)
    await warm.close()
    memory = {"before": sum(rss_kib(pid) for pid in app.pids())}
    clients = [Session(app.url) for _ in range(sessions)]
    await asyncio.gather(*(c.open() for c in clients))
    running = [await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE, cwd=REPO_ROOT)
               for command in commands]
    served, killed = [0], asyncio.Event()

    async def browse(client: Session, seed: float) -> list:
        chosen = random.Random(seed).sample(PAGES, k=pages)  # noqa: S311
        results = []
        for name, query in chosen:
            results.append((f"/{name}?{query}", *await client.page(name, query, timeout)))
            served[0] += 1
            if kill and not killed.is_set() and served[0] >= sessions * pages // 2:
                killed.set()
                app.kill(0)  # half-way: the first replica dies without warning
        return results

    tasks = [asyncio.create_task(browse(c, rng.random())) for c in clients]
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, deadline - time.monotonic()))
    memory["during"] = sum(rss_kib(pid) for pid in app.pids())  # every session still open
    for task in pending:
        task.cancel()
    memory["commands"] = []
    for command, process in zip(commands, running, strict=True):
        _, err = await process.communicate()
        memory["commands"].append((command[3], process.returncode, err.decode(errors="replace")[-300:]))
    memory["reconnects"] = sum(c.reconnects for c in clients)
    memory["reconnected_sessions"] = sum(1 for c in clients if c.reconnects)
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    results = [r for task in done if not task.cancelled() for r in task.result()]
    memory["unfinished"] = len(pending)
    return results, memory


def report(label: str, sessions: int, pages: int, results: list, memory: dict, elapsed: float, log: str) -> dict:
    times = sorted(seconds for _, seconds, error in results if error is None)
    errors = [error for _, _, error in results if error]
    tracebacks = log.count("Traceback")
    failed = [(what, rc, err) for what, rc, err in memory["commands"] if rc]
    print(f"{label}: {sessions} sessions x {pages} pages in {elapsed:.1f} s, during the run: "
          + ", ".join(f"geo {what} (exit {rc})" for what, rc, _ in memory["commands"]))
    summary = {"p50": None, "p95": None}
    if times:
        summary = {"p50": statistics.median(times), "p95": percentile(times, 0.95)}
        print(f"  page times: p50 {summary['p50']:.2f} s, p95 {summary['p95']:.2f} s, max {times[-1]:.2f} s "
              f"({len(times)} pages)")
    for path in sorted({p for p, _, _ in results}):
        mine = sorted(s for p, s, e in results if p == path and e is None)
        if mine:
            print(f"    {path:<90} n={len(mine):>2}  p50 {statistics.median(mine):5.2f} s")
    if not memory["reconnects"]:  # a killed replica's memory is gone: no per-session figure then
        per_session = (memory["during"] - memory["before"]) / 1024 / max(sessions, 1)
        print(f"  server memory: {memory['before'] / 1024:.0f} MiB warm, {memory['during'] / 1024:.0f} MiB with "
              f"{sessions} sessions open = {per_session:.1f} MiB per session")
    if memory["reconnects"]:
        print(f"  {memory['reconnected_sessions']} sessions lost their connection and connected again "
              f"({memory['reconnects']} reconnects); each got its view again")
    lost = memory.get("lost_initiatives")
    if lost is not None:
        print(f"  initiatives written during the run: {WRITTEN}, found afterwards: {WRITTEN - lost}")
    print(f"  errors: {len(errors)} on pages, {memory['unfinished']} sessions unfinished, {tracebacks} tracebacks "
          f"in the server logs, {len(failed)} failed commands")
    for error in errors[:10]:
        print(f"    {error}")
    for what, rc, err in failed:
        print(f"    geo {what} exit {rc}: {err}")
    if tracebacks:
        print(log[log.index("Traceback"):][:2000])
    summary["failed"] = bool(errors or tracebacks or failed or memory["unfinished"] or lost)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", type=int, default=3, help="pages per session (a random mix)")
    parser.add_argument("--seconds", type=float, default=240, help="give up on a run after this long")
    parser.add_argument("--page-timeout", type=float, default=60)
    parser.add_argument("--no-sync", action="store_true", help="no geo sync during the run (steady state)")
    parser.add_argument("--proxy", action="store_true", help="replicas behind HAProxy with deploy/haproxy.cfg")
    parser.add_argument("--replicas", default="2", help="with --proxy: replica counts to compare, e.g. 1,2")
    parser.add_argument("--kill-one", action="store_true", help="with --proxy: kill a replica half-way")
    args = parser.parse_args()
    sessions, pages = min(args.sessions, 50), min(args.pages, len(PAGES))  # bounded whatever is asked
    counts = [int(n) for n in args.replicas.split(",")] if args.proxy else [1]
    runs = [(n, False) for n in counts]  # steady: the figures to compare
    if args.kill_one and max(counts) > 1:
        runs.append((max(counts), True))  # and once more with a replica killed half-way
    summaries = {}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        source = build(snapshot_dir(), Path(tmp) / "source")
        pdok = stack.enter_context(StandIn(source))
        os.environ["CBS_ODATA_URL"] = os.environ["CBS_DATADERDEN_URL"] = f"{pdok.url}/ODataApi/OData"
        directory = Path(tmp) / "data"
        sync(PdokApiSource(pdok.url), None, directory)
        env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": pdok.url, "DATABASE_URL": "",
               "CBS_ODATA_URL": os.environ["CBS_ODATA_URL"], "CBS_DATADERDEN_URL": os.environ["CBS_ODATA_URL"]}
        os.environ["PARKSTAD_DATA_DIR"] = str(directory)  # for the commands run during the sessions
        if args.proxy:
            from tests.postgres import PostgresServer

            database = stack.enter_context(PostgresServer())
            env["DATABASE_URL"] = os.environ["DATABASE_URL"] = database.url
        for run, (replicas, kill) in enumerate(runs):
            commands = [] if args.no_sync else [[sys.executable, "-m", "geo", "sync", "--source", pdok.url]]
            if kill:
                upload = Path(tmp) / f"initiatives-{run}.csv"
                write_initiatives(upload, run)
                commands.append([sys.executable, "-m", "geo", "initiatives", "import", str(upload)])
            if args.proxy:
                from tests.proxy import ProxyStack

                app = ProxyStack(env, replicas)
            else:
                app = Single(env)
            with app:
                started = time.perf_counter()
                deadline = time.monotonic() + min(args.seconds, 900)
                results, memory = asyncio.run(run_sessions(app, sessions, pages, args.page_timeout, commands,
                                                           deadline, kill))
                elapsed = time.perf_counter() - started
                log = app.logs()
            if kill:
                from geo.initiatives.store import Store

                ids = {i.initiative_id for i in Store(env["DATABASE_URL"]).all()}
                memory["lost_initiatives"] = sum(f"load-{run}-{i}" not in ids for i in range(WRITTEN))
            label = f"{replicas} replica{'s' if replicas > 1 else ''} behind HAProxy" if args.proxy else "one server"
            if kill:
                label += ", one killed half-way"
            summaries[label] = report(label, sessions, pages, results, memory, elapsed, log) | {"replicas": replicas,
                                                                                               "killed": kill}
    if len(summaries) > 1:
        print("side by side (protocol level, clients and servers share this machine's cores):")
        print(f"  {'':44} p50      p95")
        for label, summary in summaries.items():
            if summary["p50"] is not None:
                print(f"  {label:<44} {summary['p50']:5.2f} s  {summary['p95']:5.2f} s")
    steady = [s for s in summaries.values() if s["replicas"] == 2 and not s["killed"] and s["p95"] is not None]
    if args.proxy and steady:
        p95 = steady[0]["p95"]
        print(f"target: {sessions} sessions, p95 <= 3 s with 2 replicas: {p95:.2f} s "
              f"({'met' if p95 <= 3 else 'not met on this machine'})")
    sys.exit(1 if any(s["failed"] for s in summaries.values()) else 0)


if __name__ == "__main__":
    main()
