"""Another region from a region file: validation, and a small region (Venlo and Beesel) end to end."""

from __future__ import annotations

import csv
import json
import re

import pytest

from geo.config import DEFINITIONS_DIR
from geo.data import domain
from geo.data.region import RegionError, load_region
from tests.data.test_sync import run_geo
from tests.test_app import choropleth_features, html_table, problems, run, run_page

REGION = """\
id: noord-limburg
name: {nl: Noord-Limburg, en: North Limburg, de: Nord-Limburg}
province: PV31
regions:
  - {id: noord, name: {nl: Noord, en: North, de: Nord}, gemeenten: [GM0983, GM0889]}
gemeenten: [GM0983, GM0889]
priority_areas: priority_areas.csv
initiatives: initiatives.csv
"""


def copy_rows(source, target, keep) -> int:
    with open(source, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if keep(r)]
        fields = reader.fieldnames
    with open(target, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


@pytest.fixture
def region_file(tmp_path, monkeypatch):
    """Venlo and Beesel with their two priority areas and initiatives, taken from the default region's data."""
    folder = tmp_path / "region"
    folder.mkdir()
    north = {"GM0983", "GM0889"}
    copy_rows(DEFINITIONS_DIR / "priority_areas.csv", folder / "priority_areas.csv",
              lambda r: r["gemeentecode"] in north)
    copy_rows(DEFINITIONS_DIR / "initiatives.csv", folder / "initiatives.csv",
              lambda r: set(r["gemeentecodes"].split()) and set(r["gemeentecodes"].split()) <= north)
    path = folder / "noord-limburg.yaml"
    path.write_text(REGION, encoding="utf-8")
    monkeypatch.setenv("PARKSTAD_REGION", str(path))
    return path


@pytest.fixture
def region_env(region_file, snapshot, tmp_path, monkeypatch):
    """The small region synced from the snapshot into its own cache folder beside the default's."""
    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PDOK_API_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    result = run_geo("sync", "--source", str(snapshot), PARKSTAD_DATA_DIR=tmp_path / "data",
                     PARKSTAD_REGION=region_file)
    assert result.returncode == 0, result.stderr
    return tmp_path / "data"


@pytest.mark.parametrize(("change", "key"), [
    (("gemeenten: [GM0983, GM0889]\npriority", "gemeenten: [GM0983, GM9999]\npriority"), "gemeenten"),
    (("province: PV31", "province: PV99"), "province"),
    (("priority_areas: priority_areas.csv", "priority_areas: nowhere.csv"), "priority_areas"),
    (("id: noord-limburg", "id: Noord Limburg"), "id"),
])
def test_wrong_region_files_name_the_key(tmp_path, change, key):
    path = tmp_path / "r.yaml"
    (tmp_path / "priority_areas.csv").write_text((DEFINITIONS_DIR / "priority_areas.csv").read_text())
    assert change[0] in REGION
    path.write_text(REGION.replace(*change), encoding="utf-8")
    with pytest.raises(RegionError, match=rf"r.yaml: {key}"):
        load_region(path)


@pytest.mark.parametrize(("target", "words"), [
    ("/etc/passwd", "/etc/passwd lies outside the region file's folder"),
    ("../../../../../../etc/hostname", "lies outside the region file's folder"),
    ("notes.csv", "notes.csv is not a priority_areas CSV (no column area_id, buurtcodes, gemeentecode"),
])
def test_a_region_file_may_only_name_its_own_csvs(tmp_path, target, words):
    """Issue 23.7: checked before anything is synced; the file's content never reaches a page."""
    (tmp_path / "notes.csv").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (tmp_path / "initiatives.csv").write_text((DEFINITIONS_DIR / "initiatives.csv").read_text(), encoding="utf-8")
    path = tmp_path / "r.yaml"
    path.write_text(REGION.replace("priority_areas: priority_areas.csv", f"priority_areas: {target}"), encoding="utf-8")
    with pytest.raises(RegionError, match=f"r.yaml: priority_areas: .*{re.escape(words)}"):
        load_region(path)


def test_a_huge_region_file_is_refused_unread(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(REGION + "# " + "x" * 70_000 + "\n", encoding="utf-8")
    with pytest.raises(RegionError, match="big.yaml: larger than 64 KB"):
        load_region(path)


def test_priority_area_outside_the_region_is_refused(region_file, tmp_path):
    (region_file.parent / "priority_areas.csv").write_text((DEFINITIONS_DIR / "priority_areas.csv").read_text())
    domain._priority_areas.cache_clear()
    with pytest.raises(domain.DefinitionError, match="outside the region's municipalities: kerkrade-oost"):
        domain.priority_areas()
    domain._priority_areas.cache_clear()


def test_cli_refuses_a_wrong_region_before_syncing(tmp_path, snapshot):
    bad = tmp_path / "bad.yaml"
    bad.write_text(REGION.replace("province: PV31", "province: PV99"), encoding="utf-8")
    result = run_geo("sync", "--source", str(snapshot), "--region", str(bad), PARKSTAD_DATA_DIR=tmp_path / "d")
    assert result.returncode == 1 and "bad.yaml: province" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()


def test_small_region_syncs_into_its_own_cache(region_env):
    info = json.loads(run_geo("info", "--json", PARKSTAD_DATA_DIR=region_env).stdout)
    counts = {name: layer["features"] for name, layer in info["layers"].items()}
    assert counts == {"gemeenten": 31, "wijken": 23, "buurten": 122, "provincie": 1}
    assert (region_env / "noord-limburg" / "manifest.json").is_file()  # beside the default region's cache
    assert not (region_env / "manifest.json").exists()


def test_small_region_pages(region_env):
    at = run()
    assert at.query_params["area"] == "noord"
    assert {f["properties"]["code"][:6] for f in choropleth_features(at)} == {"WK0983", "WK0889"}
    scopes = next(w for w in at.selectbox if w.label == "Gebied")
    assert scopes.options[:2] == ["Noord", "Alle 2 gemeenten"] and "Parkstad Limburg" not in scopes.options
    refs = next(w for w in at.selectbox if w.label == "Vergelijk met")
    assert refs.options == ["Geen vergelijking", "Gemeentelijk gemiddelde", "Gemiddelde Noord", "Gemiddelde Limburg",
                            "Gemiddelde Nederland"]
    areas = run_page("app_pages/gebieden.py")
    assert {"Vastenavondkamp (Blerick)", "Reuver/Offenbeek"} <= {s.value for s in areas.header}
    monitor = run_page("app_pages/monitor.py")
    assert monitor.title[0].value == "Haalt Noord het gemiddelde van Limburg in?"
    assert len(html_table(monitor)) == 9
    initiatives = run_page("app_pages/initiatieven.py")
    assert not problems(initiatives)
    names = " ".join(str(v) for v in initiatives.dataframe[0].value.iloc[:, 0])
    assert "Rolduckerveld" not in names  # only the region's own seed


def test_default_region_is_unchanged():
    assert domain.group_ids() == ["parkstad"] and domain.province_id() == "limburg"
    assert len(domain.focus_codes()) == 13 and domain.focus_codes()[-1] == "GM0889"


def test_readme_example_region_is_valid(tmp_path, monkeypatch):
    """The README's "Run it for your own region" example loads as written, with the paths it gives."""
    from geo.config import REPO_ROOT
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Run it for your own region", 1)[1].split("\n## ", 1)[0]
    blocks = {}
    for _lang, body in re.findall(r"```(yaml|csv)\n(.*?)```", section, flags=re.S):
        first, rest = body.split("\n", 1)
        blocks[first.removeprefix("# ").strip()] = rest
    assert set(blocks) == {"noord-limburg/noord-limburg.yaml", "noord-limburg/priority_areas.csv"}
    for name, body in blocks.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    (tmp_path / "noord-limburg" / "initiatives.csv").write_text(
        (DEFINITIONS_DIR / "initiatives.csv").read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    monkeypatch.setenv("PARKSTAD_REGION", str(tmp_path / "noord-limburg/noord-limburg.yaml"))
    domain._priority_areas.cache_clear()
    try:
        assert domain.group_ids() == ["noord"] and set(domain.priority_areas()) == {"vastenavondkamp",
                                                                                     "reuver-offenbeek"}
    finally:
        domain._priority_areas.cache_clear()


def test_pages_with_no_initiatives_at_all(region_env, region_file):
    """A region that brings no initiatives: every page says so plainly, with an empty but valid map."""
    region_file.write_text(REGION.replace("initiatives: initiatives.csv\n", ""), encoding="utf-8")
    load_region.cache_clear()
    try:
        at = run_page("app_pages/initiatieven.py")
        assert not problems(at) and at.metric[0].value == "0"
        assert any("Geen initiatieven" in i.value for i in at.info)
        for page, params in (("app_pages/monitor.py", {}), ("app_pages/gebieden.py", {}),
                             ("app_pages/buurt.py", {"buurt": "BU08890000"}), ("app_pages/explorer.py", {"init": "1"})):
            shown = run_page(page, **params)
            assert not problems(shown) and shown.title, page
    finally:
        load_region.cache_clear()
