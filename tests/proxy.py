"""The deployment of deploy/compose.yaml without Docker: Streamlit replicas (serve.py, as in the image) behind
HAProxy from Debian's package, started with the *same* deploy/haproxy.cfg, all on 127.0.0.1. Used by
scripts/load.py --proxy and the tests; every process is stopped on exit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import requests

from geo.config import REPO_ROOT
from tests.browser import StreamlitServer, free_port, stop_group, wait_until

CONFIG = REPO_ROOT / "deploy" / "haproxy.cfg"
SLOTS = 3  # server lines in haproxy.cfg


def haproxy() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy") else None)
    if found is None:
        raise RuntimeError("HAProxy not found: apt-get install haproxy")
    return found


class ProxyStack:
    """`replicas` Streamlit processes sharing one cache folder and one database, behind HAProxy."""

    def __init__(self, env: dict[str, str], replicas: int):
        if not 1 <= replicas <= SLOTS:
            raise ValueError(f"1 to {SLOTS} replicas (one server line each in {CONFIG.name})")
        self.env = {"STREAMLIT_SERVER_COOKIE_SECRET": "the-same-secret-on-every-replica", **env}
        self.replicas = [StreamlitServer(self.env, launcher=True) for _ in range(replicas)]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = REPO_ROOT / "tests" / ".cache" / f"haproxy-{self.port}.log"

    def proxy_env(self) -> dict[str, str]:
        env = {**os.environ, "PROXY_BIND": f"127.0.0.1:{self.port}"}
        for slot in range(1, SLOTS + 1):
            running = self.replicas[slot - 1] if slot <= len(self.replicas) else None
            env[f"APP_{slot}"] = f"127.0.0.1:{running.port}" if running else "unused.invalid:1"
        return env

    def __enter__(self) -> ProxyStack:
        try:
            for replica in self.replicas:
                replica.__enter__()
            self.log.parent.mkdir(parents=True, exist_ok=True)
            self.process = subprocess.Popen([haproxy(), "-W", "-db", "-f", str(CONFIG)], env=self.proxy_env(),
                                            stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                            start_new_session=True)
            if not wait_until(lambda: self.up() == len(self.replicas), 60, interval=0.3):
                raise RuntimeError("the proxy did not see every replica up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def up(self) -> int:
        """How many replicas answer their health check (as the proxy checks them)."""
        count = 0
        for replica in self.replicas:
            try:
                count += requests.get(f"{replica.url}/_stcore/health", timeout=1).ok
            except requests.RequestException:
                pass
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"haproxy exited:\n{self.log.read_text(errors='replace')}")
        try:
            requests.get(f"{self.url}/_stcore/health", timeout=2).raise_for_status()
        except requests.RequestException:
            return 0
        return count

    def kill(self, index: int) -> None:
        """Kill a replica without warning (SIGKILL), as a crash or an out-of-memory kill would."""
        process = self.replicas[index].process
        if process and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def pids(self) -> list[int]:
        """The replicas still running (for their memory)."""
        return [r.process.pid for r in self.replicas if r.process and r.process.poll() is None]

    def logs(self) -> str:
        return "\n".join(r.log.read_text(errors="replace") for r in self.replicas if r.log.exists())

    def __exit__(self, *exc) -> None:
        stop_group(self.process)
        for replica in self.replicas:
            replica.__exit__()
