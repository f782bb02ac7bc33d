"""scripts/fuzz_import.py: a few hundred generated hostile rows and files, and not one crash."""

from __future__ import annotations

import json
import subprocess
import sys

from geo.config import REPO_ROOT
from tests.conftest import env_with


def test_fuzzing_the_importer_finds_no_crash(tmp_path):
    result = subprocess.run([sys.executable, "scripts/fuzz_import.py", "--files", "300", "--json"], cwd=REPO_ROOT,
                            capture_output=True, text=True, env=env_with(), timeout=600)
    report = json.loads(result.stdout)
    assert report["crashes"] == 0, report["crash_details"]
    assert result.returncode == 0
    assert report["files_refused"] >= 15  # bombs, encodings, sizes: every one refused as a whole
    assert report["rows_tried"] > 1000 and report["rows_refused"] > report["rows_accepted"] > 0
    assert report["rows_refused"] + report["rows_accepted"] == report["rows_tried"]
