"""The scale-out deployment (deploy/, issue 21.2) as far as it runs without Docker: the image and compose files
say what a municipality's IT needs; the real HAProxy runs deploy/haproxy.cfg in front of real replicas and a
real PostgreSQL on 127.0.0.1; and the README's deployment command runs as written."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
import requests
import yaml

from geo.config import REPO_ROOT
from serving.streamlit_client import Session
from tests.proxy import CONFIG, SLOTS, ProxyStack, haproxy

DEPLOY = REPO_ROOT / "deploy"

pytestmark = pytest.mark.skipif(shutil.which("haproxy") is None and not os.path.exists("/usr/sbin/haproxy"),
                                reason="HAProxy not installed (apt-get install haproxy; .ci/run installs it)")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_image_runs_the_production_launcher_as_a_user_with_a_health_check():
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n.*/_stcore/health", dockerfile, re.M)
    assert re.search(r'^CMD \["python", "serve.py"', dockerfile, re.M)
    assert "requirements-app.txt" in dockerfile  # no test tools in the image
    for folder in ("app_pages", "serving", "geo", "data"):  # everything app.py and serve.py import or read
        assert f"COPY {folder} /app/{folder}" in dockerfile
    # no secret in the image: only file names of secrets, and the caches and databases stay out
    assert not re.search(r"^(ENV|ARG)\b.*(PASSWORD|SECRET|DATABASE_URL)(?!_FILE)", dockerfile, re.M | re.I)
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"data/cache", ".streamlit/secrets.toml", "**/*.sqlite"} <= set(ignored)


def test_compose_runs_replicas_behind_the_same_proxy_config_with_secrets_from_files():
    services = compose()["services"]
    apps = sorted(name for name in services if re.fullmatch(r"app\d+", name))
    assert len(apps) == SLOTS == len(re.findall(r"^\s*server app\d ", CONFIG.read_text(), re.M))
    for name in apps:
        app = services[name]
        env = app["environment"]
        assert env["DATABASE_URL_FILE"].startswith("/run/secrets/") and "DATABASE_URL" not in env
        assert env["STREAMLIT_SERVER_COOKIE_SECRET_FILE"].startswith("/run/secrets/")
        assert env["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] == env["STREAMLIT_SERVER_ENABLE_CORS"] == "true"
        assert "PUBLIC_HOST" in env["STREAMLIT_SERVER_CORS_ALLOWED_ORIGINS"]
        assert "cache:/data" in app["volumes"] and app["depends_on"]["postgres"]["condition"] == "service_healthy"
    proxy = services["proxy"]
    assert "./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro" in proxy["volumes"]
    assert {proxy["environment"][f"APP_{i}"] for i in range(1, SLOTS + 1)} == {f"{a}:8501" for a in apps}
    assert "POSTGRES_PASSWORD_FILE" in services["postgres"]["environment"] and "healthcheck" in services["postgres"]
    assert "geo sync" in " ".join(services["sync"]["command"]) and "cache:/data" in services["sync"]["volumes"]
    assert all(spec["file"].startswith("./secrets/") for spec in compose()["secrets"].values())


def test_haproxy_accepts_the_config_with_any_number_of_replicas():
    env = {**os.environ, "PROXY_BIND": "127.0.0.1:1", "APP_1": "127.0.0.1:2", "APP_2": "unused.invalid:1",
           "APP_3": "unused.invalid:1"}
    result = subprocess.run([haproxy(), "-c", "-f", str(CONFIG)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def stack(synced_dir, tmp_path_factory):
    from tests.postgres import PostgresServer

    directory = tmp_path_factory.mktemp("deploy") / "data"
    shutil.copytree(synced_dir, directory)
    with PostgresServer() as database:
        env = {"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9", "DATABASE_URL": database.url}
        with ProxyStack(env, replicas=2) as running:
            yield running


def test_the_proxy_adds_security_headers_and_hides_streamlits_metrics(stack):
    page = requests.get(f"{stack.url}/", timeout=30)
    assert page.ok
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert re.match(r"PARKSTAD_REPLICA=app[12];.*HttpOnly", page.headers["Set-Cookie"], re.I)
    assert requests.get(f"{stack.url}/_stcore/metrics", timeout=30).status_code == 404
    assert requests.get(f"{stack.replicas[0].url}/_stcore/metrics", timeout=30).ok  # still there for operators
    assert requests.get(f"{stack.url}/_stcore/health", timeout=30).text == "ok"


def test_a_tab_stays_on_its_replica_and_moves_with_its_view_when_that_one_dies(stack):
    view = ("monitor", "area=kerkrade-oost")

    async def scenario():
        tab = Session(stack.url)
        await tab.open()
        first = tab.cookies["PARKSTAD_REPLICA"]
        for _ in range(3):  # the same tab, connecting again: always the same replica
            await tab.close()
            await tab.open()
            assert tab.cookies["PARKSTAD_REPLICA"] == first
        before = await tab.run_texts(*view, 120)
        stack.kill(int(first[-1]) - 1)
        after_time, problem = await tab.page(*view, 120)  # the connection is gone: connect again, same view
        after = await tab.run_texts(*view, 120)
        await tab.close()
        return first, tab.cookies["PARKSTAD_REPLICA"], tab.reconnects, before, problem, after

    first, now, reconnects, before, problem, after = asyncio.run(scenario())
    assert problem is None and reconnects >= 1
    assert now != first  # the proxy sent the tab to the other replica and said so in its cookie
    assert before == after and any("Kerkrade-Oost" in text for text in after)  # the view, from its URL


def readme_deploy_command() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Deploy for many visitors", 1)[1].split("\n## ", 1)[0]
    return next(line.split("#", 1)[0].strip() for line in section.splitlines()
                if line.startswith("python scripts/load.py --proxy"))


def test_the_readmes_deployment_check_runs_as_written():
    """20 sessions on a mix of pages through HAProxy while a sync runs; 1 replica against 2; then one of 2 killed
    half-way while initiatives are written: every page served, no initiative lost."""
    command = shlex.split(readme_deploy_command())
    assert command[:3] == ["python", "scripts/load.py", "--proxy"] and "--kill-one" in command
    result = subprocess.run([sys.executable, *command[1:]], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=1800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "1 replica behind HAProxy: 20 sessions x 3 pages" in output
    assert "2 replicas behind HAProxy: 20 sessions x 3 pages" in output
    assert "2 replicas behind HAProxy, one killed half-way" in output
    assert "each got its view again" in output and "found afterwards: 5" in output
    assert output.count("errors: 0 on pages, 0 sessions unfinished, 0 tracebacks") == 3
    assert re.search(r"target: 20 sessions, p95 <= 3 s with 2 replicas: \d+\.\d+ s", output)
