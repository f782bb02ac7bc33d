"""The local cache: one GeoParquet file per layer in a generation folder, plus manifest.json.

A sync writes a complete new generation folder first and then replaces manifest.json with
os.replace (atomic on POSIX). Readers only follow the manifest, so they see either the old or the
new cache, never a mix; a sync that fails leaves the manifest, and so the cache, as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.config import ATTRIBUTION, LICENCE, LICENCE_URL, data_dir

MANIFEST = "manifest.json"


class CacheMissing(RuntimeError):
    """No usable cache; the message says how to make one."""


SYNC_HINT = (
    "run `python -m geo sync` (PDOK, needs internet), or offline "
    "`python -m geo sync --source ../shared/pdok-snapshot` (a snapshot folder), "
    "`--source wijkenbuurten_2024.gpkg` (a PDOK GeoPackage) or set PDOK_API_URL to a mirror"
)


def manifest_path(directory: Path | None = None) -> Path:
    return (directory or data_dir()) / MANIFEST


def read_manifest(directory: Path | None = None) -> dict:
    path = manifest_path(directory)
    if not path.is_file():
        raise CacheMissing(f"no data cache in {path.parent}: {SYNC_HINT}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        generation = manifest["generation"]
        manifest["layers"]  # noqa: B018 - required key
    except (ValueError, KeyError, TypeError) as exc:
        raise CacheMissing(f"the cache manifest {path} is damaged ({exc}): {SYNC_HINT}") from exc
    if not (path.parent / generation).is_dir():
        raise CacheMissing(f"the cache in {path.parent} is incomplete: {SYNC_HINT}")
    return manifest


def write_generation(
    layers: dict[str, gpd.GeoDataFrame],
    meta: dict,
    directory: Path | None = None,
    tables: dict[str, pd.DataFrame] | None = None,
    older_years: dict[int, dict[str, gpd.GeoDataFrame]] | None = None,
) -> dict:
    """Write all layers (and earlier data years) and switch the manifest to them in one atomic step.

    An earlier year keeps its own geometry only for areas whose boundary differs from the latest year's;
    the others are stored without geometry and take the latest one when loaded.
    """
    directory = directory or data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    generation = datetime.now(UTC).strftime("gen-%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    target = directory / generation
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=directory))
    try:
        summary = {}
        for name, frame in layers.items():
            path = staging / f"{name}.parquet"
            frame.to_parquet(path, index=False, compression="zstd")
            summary[name] = {
                "features": int(len(frame)),
                "file": f"{name}.parquet",
                "bytes": path.stat().st_size,
                "municipalities": int(frame["gemeentecode"].nunique()) if "gemeentecode" in frame else None,
                "columns": [c for c in frame.columns if c != "geometry"],
            }
        latest_year = int(meta["year"])
        by_year = {str(latest_year): {name: {"features": info["features"], "file": info["file"], "own_geometry": None}
                                      for name, info in summary.items() if name != "provincie"}}
        for year, frames in sorted((older_years or {}).items()):
            by_year[str(year)] = {}
            for name, frame in frames.items():
                stored = _without_shared_geometry(frame, layers[name], _key_of(frame))
                path = staging / f"{name}_{year}.parquet"
                stored.to_parquet(path, index=False, compression="zstd")
                by_year[str(year)][name] = {"features": int(len(frame)), "file": path.name,
                                            "bytes": path.stat().st_size,
                                            "own_geometry": int(stored.geometry.notna().sum())}
        # per table: fetched_at, and for one the sync could not get the reason (and whether a copy was kept)
        table_summary = {name: dict(info) for name, info in (meta.get("tables") or {}).items()}
        for name, table in (tables or {}).items():
            table.to_parquet(staging / f"statline_{name}.parquet", index=False, compression="zstd")
            table_summary[name] = {**table_summary.get(name, {}), "rows": int(len(table)),
                                   "file": f"statline_{name}.parquet"}
        os.replace(staging, target)
        manifest = {
            **meta,
            "fetched_at": meta.get("fetched_at") or datetime.now(UTC).isoformat(timespec="seconds"),
            "attribution": ATTRIBUTION,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
            "generation": generation,
            "layers": summary,
            "years": sorted(int(y) for y in by_year),
            "by_year": dict(sorted(by_year.items())),
            "tables": table_summary,
        }
        atomic_write_bytes(manifest_path(directory), json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists() and not _is_current(directory, generation):
            shutil.rmtree(target, ignore_errors=True)
        raise
    _remove_old_generations(directory, keep=generation)
    return manifest


def load_layers(directory: Path | None = None, names: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    directory = directory or data_dir()
    manifest = read_manifest(directory)
    folder = directory / manifest["generation"]
    out = {}
    for name, info in manifest["layers"].items():
        if names is not None and name not in names:
            continue
        try:
            out[name] = gpd.read_parquet(folder / info["file"])
        except Exception as exc:  # pyarrow raises several types for damaged files
            raise CacheMissing(f"cache file {info['file']} cannot be read ({exc}): {SYNC_HINT}") from exc
    return out


def _key_of(frame: pd.DataFrame) -> str:
    return next(c for c in ("buurtcode", "wijkcode", "gemeentecode") if c in frame.columns)


def _without_shared_geometry(frame: gpd.GeoDataFrame, latest: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    """The frame with geometry only where the latest year has no equal boundary under the same code."""
    current = latest.set_index(key).geometry
    same = pd.Series(False, index=frame.index)
    known = frame[key].isin(current.index)
    if known.any():
        theirs = current.reindex(frame.loc[known, key]).to_numpy()
        same.loc[known] = shapely.equals_exact(frame.loc[known].geometry.to_numpy(), theirs, tolerance=1e-7)
    stored = frame.copy()
    stored.loc[same, "geometry"] = None
    return stored


def load_year(year: int, latest: gpd.GeoDataFrame, name: str, directory: Path | None = None) -> gpd.GeoDataFrame:
    """One layer of an earlier data year, boundaries shared with the latest year filled back in."""
    directory = directory or data_dir()
    manifest = read_manifest(directory)
    info = (manifest.get("by_year") or {}).get(str(year), {}).get(name)
    if info is None:
        raise CacheMissing(f"the cache has no {name} for {year}: {SYNC_HINT}")
    try:
        frame = gpd.read_parquet(directory / manifest["generation"] / info["file"])
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise CacheMissing(f"cache file {info['file']} cannot be read ({exc}): {SYNC_HINT}") from exc
    if info.get("own_geometry") is None:
        return frame
    key = _key_of(frame)
    shared = frame.geometry.isna()
    if shared.any():
        frame.loc[shared, "geometry"] = latest.set_index(key).geometry.reindex(frame.loc[shared, key]).to_numpy()
    return frame


def atomic_write_bytes(path, content: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_table(name: str, directory: Path | None = None) -> pd.DataFrame | None:
    """A StatLine table stored with the current generation, or None when the sync could not get it."""
    directory = directory or data_dir()
    manifest = read_manifest(directory)
    info = (manifest.get("tables") or {}).get(name) or {}
    if not info.get("file"):
        return None
    try:
        return pd.read_parquet(directory / manifest["generation"] / info["file"])
    except Exception:  # noqa: BLE001 - a damaged optional table must not stop the app; trends just go
        return None


def _is_current(directory: Path, generation: str) -> bool:
    try:
        return json.loads(manifest_path(directory).read_text())["generation"] == generation
    except (OSError, ValueError, KeyError):
        return False


def _remove_old_generations(directory: Path, keep: str) -> None:
    """Drop superseded generations and staging folders left by an interrupted sync."""
    for child in [*directory.glob("gen-*"), *directory.glob(".staging-*")]:
        if child.is_dir() and child.name != keep:
            shutil.rmtree(child, ignore_errors=True)
