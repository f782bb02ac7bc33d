"""The production settings in .streamlit/config.toml, as Streamlit itself reads them."""

from __future__ import annotations

import subprocess
import sys

from geo.config import REPO_ROOT
from geo.initiatives import files


def streamlit_option(name: str) -> str:
    code = ("from streamlit import config; config.get_config_options(force_reparse=True); "
            f"print(config.get_option({name!r}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=120, check=True)
    return result.stdout.strip().splitlines()[-1]


def test_uploads_are_capped_at_what_staff_need():
    """Issue 23.5: Streamlit's upload endpoint takes files from any session; its cap is ours, not 200 MB."""
    cap_mb = int(streamlit_option("server.maxUploadSize"))
    assert cap_mb == 2 and cap_mb * 1024 * 1024 >= files.MAX_UPLOAD_BYTES


def test_visitors_get_no_developer_chrome_and_no_error_details():
    assert streamlit_option("client.toolbarMode") == "viewer"
    assert streamlit_option("client.showErrorDetails") == "none"
    assert streamlit_option("browser.gatherUsageStats") == "False"


def test_production_servers_do_not_watch_files_or_collect_after_every_run():
    """No watching of the source tree and no rerun on save; no full garbage collection after every page run
    (measured: a fifth to a third of the server's CPU per page, scripts/bench.py)."""
    assert streamlit_option("server.fileWatcherType") == "none"
    assert streamlit_option("server.runOnSave") == "False"
    assert streamlit_option("runner.postScriptGC") == "False"
