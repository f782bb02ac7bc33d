"""Paths and settings, read from the environment at call time (so tests can change them)."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS_DIR = REPO_ROOT / "data"

DEFAULT_PDOK_URL = "https://api.pdok.nl"
DEFAULT_YEAR = 2024
ATTRIBUTION = "CBS, Kadaster/PDOK"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def data_dir() -> Path:
    """Where the cache and the database live: $PARKSTAD_DATA_DIR, default data/cache/; another region than
    the default keeps its own beside it, in a folder named after its id."""
    value = os.environ.get("PARKSTAD_DATA_DIR")
    base = Path(value).expanduser() if value else REPO_ROOT / "data" / "cache"
    from geo.data.region import DEFAULT_REGION, current

    region_id = current().id
    return base if region_id == DEFAULT_REGION else base / region_id


class SecretFileError(OSError):
    """A secret file named by NAME_FILE cannot be read (the message names the variable, never the secret)."""


def secret(name: str) -> str | None:
    """A secret from the environment (`NAME`), else from the file that `NAME_FILE` names (Docker and Kubernetes
    secrets are files); None when neither is set. Never part of an image or a repository."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise SecretFileError(f"{name}_FILE: cannot read the secret file ({exc.strerror})") from None


def pdok_url() -> str:
    """PDOK base URL; a mirror or test server with the same paths may stand in."""
    return (os.environ.get("PDOK_API_URL") or DEFAULT_PDOK_URL).rstrip("/")


def snapshot_dir() -> Path:
    """The offline PDOK snapshot used by tests and offline runs (never part of the repo)."""
    value = os.environ.get("PARKSTAD_SNAPSHOT_DIR")
    return Path(value).expanduser() if value else (REPO_ROOT.parent / "shared" / "pdok-snapshot")


def years_snapshot_dir() -> Path:
    """The offline copy with real CBS figures for several data years (2019, 2020, 2022, 2023, 2024): the data
    behind the offline demo, the benchmark's multi-year figures and the tests that need more than one year."""
    value = os.environ.get("PARKSTAD_YEARS_SNAPSHOT_DIR")
    return Path(value).expanduser() if value else (REPO_ROOT.parent / "shared" / "pdok-snapshot-years")
