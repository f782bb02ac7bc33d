"""`python -m geo sync|info|areas` from each source, and the atomic cache."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.config import REPO_ROOT
from geo.data import cache
from geo.data.pdok import SourceError
from geo.data.sources import DirectorySource, GeoPackageSource, PdokApiSource, open_source
from geo.data.sync import sync
from tests.conftest import FAST, env_with
from tests.pdok_server import Fault

EXPECTED = {"gemeenten": 31, "wijken": 99, "buurten": 449, "provincie": 1}


def run_geo(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args], cwd=REPO_ROOT, capture_output=True, text=True,
        env=env_with(**env), timeout=300,
    )


def tree_digest(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*")) if p.is_file()
    }


def counts(manifest: dict) -> dict[str, int]:
    return {name: layer["features"] for name, layer in manifest["layers"].items()}


def test_cli_sync_from_stand_in_server_then_info_and_areas(pdok, tmp_path):
    pdok.state.max_page = 250
    result = run_geo("sync", "--source", pdok.url, "--year", "2024", PARKSTAD_DATA_DIR=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "synced 31 gemeenten, 99 wijken, 449 buurten" in result.stdout
    assert "buurten   13/13 GM0889 Beesel: 8 features" in result.stderr  # progress per municipality

    info = json.loads(run_geo("info", "--json", PARKSTAD_DATA_DIR=tmp_path).stdout)
    assert info["source"] == pdok.url and info["year"] == 2024 and info["fetched_at"]
    assert counts(info) == EXPECTED
    assert info["attribution"] == "CBS, Kadaster/PDOK" and info["licence"] == "CC BY 4.0"

    areas = json.loads(run_geo("areas", "--json", PARKSTAD_DATA_DIR=tmp_path).stdout)
    assert len(areas) == 8
    by_id = {a["area_id"]: a for a in areas}
    for area in areas:
        assert {"area_id", "name", "gemeentecode", "buurten", "area_km2", "inhabitants", "precision"} <= set(area)
        assert area["area_km2"] > 0
    assert by_id["kerkrade-oost"]["inhabitants"] == 17835  # = CBS wijk WK092801
    assert by_id["vallisveld"]["precision"] == "coarse" and by_id["vallisveld"]["inhabitants"] is None
    assert by_id["pottenberg-nazareth"]["buurten"] == ["BU09350203", "BU09350403"]


def test_default_source_is_pdok_url_from_environment(pdok, tmp_path):
    result = run_geo("sync", PARKSTAD_DATA_DIR=tmp_path, PDOK_API_URL=pdok.url)
    assert result.returncode == 0, result.stderr
    assert json.loads(run_geo("info", "--json", PARKSTAD_DATA_DIR=tmp_path).stdout)["source"] == pdok.url


def test_failed_sync_leaves_previous_cache_exactly_as_it_was(pdok, data_dir):
    before = tree_digest(data_dir)
    # Venlo's buurten (late in the run) keep failing: everything before them was fetched fine
    pdok.state.faults.append(Fault("buurten/items?f=json&limit=1000&gemeentecode=GM0983", "503", times=-1))
    with pytest.raises(SourceError, match="HTTP 503"):
        sync(PdokApiSource(pdok.url, FAST), 2024, data_dir)
    assert tree_digest(data_dir) == before
    assert not list(data_dir.glob(".staging-*"))


def test_failed_cli_sync_exits_non_zero_with_one_line(pdok, data_dir):
    before = tree_digest(data_dir)
    pdok.state.faults.append(Fault("gemeentecode=GM0935", "404", times=-1))
    result = run_geo("sync", "--source", pdok.url, PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "404" in last and "Traceback" not in result.stderr
    assert tree_digest(data_dir) == before


def test_successful_resync_replaces_the_generation(data_dir, snapshot):
    old = cache.read_manifest(data_dir)["generation"]
    manifest = sync(DirectorySource(snapshot), 2024, data_dir)
    assert manifest["generation"] != old
    assert [p.name for p in data_dir.glob("gen-*")] == [manifest["generation"]]


def test_no_cache_gives_sync_instructions(clean_env):
    result = run_geo("info", PARKSTAD_DATA_DIR=clean_env)
    assert result.returncode == 1
    assert "python -m geo sync" in result.stderr and "Traceback" not in result.stderr
    result = run_geo("areas", "--json", PARKSTAD_DATA_DIR=clean_env)
    assert result.returncode == 1 and "geo sync" in result.stderr


def test_unreachable_pdok_fails_cleanly(clean_env):
    result = run_geo("sync", PARKSTAD_DATA_DIR=clean_env, PDOK_API_URL="http://127.0.0.1:9")
    assert result.returncode == 1
    assert "cannot connect" in result.stderr and "Traceback" not in result.stderr
    assert not clean_env.exists() or not (clean_env / "manifest.json").exists()


def test_directory_source_counts_and_crs(synced_dir):
    layers = cache.load_layers(synced_dir)
    assert {name: len(frame) for name, frame in layers.items()} == EXPECTED
    for frame in layers.values():
        assert frame.crs.to_epsg() == 4326
        assert frame.geometry.is_valid.all()


def test_directory_source_wrong_year_names_the_years(snapshot):
    with pytest.raises(SourceError, match="years present: 2024"):
        sync(DirectorySource(snapshot), 2031, Path("/nonexistent-never-written"))


def test_unknown_source_spec_is_explained(tmp_path):
    with pytest.raises(SourceError, match="unknown source"):
        open_source(str(tmp_path / "nothing-here"))


@pytest.fixture(scope="module")
def geopackage(snapshot, tmp_path_factory) -> Path:
    """A GeoPackage laid out like PDOK's wijkenbuurten_2024.gpkg (RD New), written from the snapshot."""
    path = tmp_path_factory.mktemp("gpkg") / "wijkenbuurten_2024.gpkg"
    for layer in ("gemeenten", "wijken", "buurten"):
        frame = gpd.read_file(snapshot / "cbs" / "wijken-en-buurten-2024" / f"{layer}.geojson")
        frame.to_crs("EPSG:28992").to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    return path


def test_geopackage_source_reads_only_needed_municipalities(geopackage, tmp_path, synced_dir):
    manifest = sync(GeoPackageSource(geopackage), 2024, tmp_path)
    assert counts(manifest) == EXPECTED
    layers = cache.load_layers(tmp_path)
    reference = cache.load_layers(synced_dir)
    assert layers["gemeenten"].crs.to_epsg() == 4326
    # reprojection round trip keeps geometry within a metre
    a = layers["wijken"].set_index("wijkcode").to_crs("EPSG:28992").geometry
    b = reference["wijken"].set_index("wijkcode").to_crs("EPSG:28992").geometry
    assert a.sort_index().hausdorff_distance(b.sort_index()).max() < 1.0
    limburg_km2 = layers["provincie"].to_crs("EPSG:28992").area.iloc[0] / 1e6
    assert 2100 < limburg_km2 < 2250  # Limburg is about 2,210 km²


def test_geopackage_that_is_not_one_is_rejected(tmp_path):
    bad = tmp_path / "fake.gpkg"
    bad.write_text("not a geopackage")
    with pytest.raises(SourceError, match="not a readable GeoPackage"):
        GeoPackageSource(bad)


def test_sync_fetches_benefit_table_from_odata(pdok, tmp_path):
    rows = [{"ID": i, "WijkenEnBuurten": f"{code:<10}", "Perioden": period, "Codering_3": f"{code:<10}",
             "Bijstandsuitkering_6": count, "Bijstandsuitkering_10": 5, "InwonersVanaf15Jaar_13": 3000}
            for i, (code, period, count) in enumerate([
                ("BU09280105", "2023MM12", 200), ("BU09280105", "2024MM03", 210),
                ("WK092801", "2024MM03", 900), ("BU03630917", "2024MM03", 1)])]  # the last: Amsterdam, not ours
    pdok.state.odata_tables["85586NED"] = rows
    pdok.state.odata_page = 2
    manifest = sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path)
    assert manifest["tables"]["85586NED"]["rows"] == 3
    table = cache.load_table("85586NED", tmp_path)
    assert set(table["code"]) == {"BU09280105", "WK092801"}
    assert {"bijstand_aantal", "bijstand_pct", "inwoners_15plus"} <= set(table.columns)
    from geo.data.area_data import AreaData

    data = AreaData.load(tmp_path)
    assert data.benefit_period == "2024MM03"
    assert data.row("BU09280105")["bijstand_kwartaal"] == 210
    assert data.row("BU09280105")["bijstand_pct_kwartaal"] == pytest.approx(7.0)


def test_statline_down_during_a_later_sync_keeps_the_previous_table(pdok, tmp_path):
    """A good PDOK sync while CBS is unreachable keeps the benefit table (and so its trend) from the cache it
    replaces, marked as kept with its own fetch date; a clean sync drops it."""
    rows = [{"ID": 0, "WijkenEnBuurten": "BU09280105", "Perioden": "2024MM03", "Codering_3": "BU09280105",
             "Bijstandsuitkering_6": 210, "Bijstandsuitkering_10": 5, "InwonersVanaf15Jaar_13": 3000}]
    pdok.state.odata_tables["85586NED"] = rows
    first = sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path)
    fetched = first["tables"]["85586NED"]["fetched_at"]
    pdok.state.faults.append(Fault("ODataApi", "503", times=-1))  # CBS down, PDOK fine
    second = sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path)
    assert second["generation"] != first["generation"]
    kept = second["tables"]["85586NED"]
    assert kept["kept"] and kept["rows"] == 1 and kept["fetched_at"] == fetched and "503" in kept["unavailable"]
    assert cache.load_table("85586NED", tmp_path)["bijstand_aantal"].tolist() == [210]
    info = run_geo("info", PARKSTAD_DATA_DIR=tmp_path).stdout
    assert f"statline 85586NED: 1 rows, copy fetched {fetched} kept" in info
    third = sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path, clean=True)
    assert third["tables"]["85586NED"]["rows"] == 0 and cache.load_table("85586NED", tmp_path) is None


def test_sync_without_benefit_table_still_completes(pdok, tmp_path):
    manifest = sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path)  # the stand-in has no OData table: 404
    assert counts(manifest) == EXPECTED
    assert manifest["tables"]["85586NED"]["rows"] == 0 and "404" in manifest["tables"]["85586NED"]["unavailable"]
    assert cache.load_table("85586NED", tmp_path) is None
