"""Several data years: the sync and cache with a year dimension, `--years`, `info`, `trend`, annual StatLine tables.

The extra years here are DERIVED from the real 2024 snapshot by tests/derived_years.py (rules in its docstring):
a buurt that vanished, a reshaped wijk and a re-divided buurt exist only there. The real history is tested in
tests/test_numbers.py.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo.data import statline
from geo.data.area_data import AreaData
from geo.data.pdok import SourceError
from geo.data.sources import DirectorySource, PdokApiSource
from geo.data.sync import parse_years, resolve_years, sync
from tests import derived_years as derived
from tests.conftest import FAST
from tests.data.test_sync import EXPECTED, counts, run_geo, tree_digest
from tests.pdok_server import Fault, StandIn


@pytest.fixture(scope="module")
def synced_dir(derived_synced_dir):
    """This module's expectations are the derived years' rules."""
    return derived_synced_dir


@pytest.fixture(scope="module")
def area_data(derived_area_data):
    return derived_area_data


@pytest.fixture
def years_server(multi_year_snapshot, monkeypatch):
    """The stand-in serving three data years (one API per year, like PDOK) and the StatLine OData tables."""
    with StandIn(multi_year_snapshot) as server:
        monkeypatch.setenv("CBS_ODATA_URL", f"{server.url}/ODataApi/OData")
        monkeypatch.setenv("CBS_DATADERDEN_URL", f"{server.url}/ODataApi/OData")
        yield server


def test_sync_keeps_every_year_with_its_counts(synced_dir):
    manifest = json.loads((synced_dir / "manifest.json").read_text())
    assert manifest["year"] == 2024 and manifest["years"] == [2022, 2023, 2024]
    assert counts(manifest) == EXPECTED  # the latest year's layers, as before
    by_year = {year: {name: info["features"] for name, info in layers.items()}
               for year, layers in manifest["by_year"].items()}
    assert by_year["2022"] == {"gemeenten": 31, "wijken": 99, "buurten": 450}  # + the buurt that later went
    assert by_year["2023"] == by_year["2024"] == {"gemeenten": 31, "wijken": 99, "buurten": 449}


def test_earlier_years_store_only_boundaries_that_differ(synced_dir, area_data):
    manifest = json.loads((synced_dir / "manifest.json").read_text())
    # 2022: the reshaped wijk and the buurt that no longer exists have their own geometry; the rest share 2024's
    assert manifest["by_year"]["2022"]["wijken"]["own_geometry"] == 1
    assert manifest["by_year"]["2022"]["buurten"]["own_geometry"] == 1
    assert manifest["by_year"]["2023"]["buurten"]["own_geometry"] == 0
    old = area_data.for_year(2022)
    wijk_then, wijk_now = old.row(derived.RESHAPED).geometry, area_data.row(derived.RESHAPED).geometry
    assert not wijk_then.equals(wijk_now) and wijk_then.centroid.x > wijk_now.centroid.x
    shared = "WK092801"
    assert old.row(shared).geometry.equals(area_data.row(shared).geometry)
    assert old.row(derived.EXTINCT) is not None and area_data.row(derived.EXTINCT) is None


def test_each_year_has_its_own_figures(area_data):
    now, then = area_data.row("GM0917"), area_data.for_year(2022).row("GM0917")
    assert then["aantal_inwoners"] == round(now["aantal_inwoners"] * 0.98 ** 2)
    assert area_data.for_year(2022).year == 2022 and area_data.year == 2024
    # benefits per year come from the quarterly table (real Heerlen figures): the year's last quarter
    assert area_data.for_year(2023).benefit_period == "2023MM12" and area_data.benefit_period == "2024MM03"
    with pytest.raises(KeyError, match="no data year 2019"):
        area_data.for_year(2019)


def test_annual_table_keeps_only_the_selected_kind_of_crime(area_data):
    # the derived extract also has SoortMisdrijf 1.1.1 (a tenth of the total); the definition keeps 0.0.0
    for year in (2022, 2024):
        row = area_data.for_year(year).row("GM0917")
        rate = 1000 * row["misdrijven_totaal"] / row["aantal_inwoners"]
        assert rate == pytest.approx(derived.crimes_per_1000("GM0917", year), abs=0.05)
    assert area_data.row("GM0935")["misdrijven_per_1000_inwoners"] == pytest.approx(45.0, abs=0.05)


def test_cli_info_lists_the_years(data_dir):
    info = json.loads(run_geo("info", "--json", PARKSTAD_DATA_DIR=data_dir).stdout)
    assert info["years"] == [2022, 2023, 2024]
    assert info["by_year"]["2023"]["wijken"]["features"] == 99
    text = run_geo("info", PARKSTAD_DATA_DIR=data_dir).stdout
    assert "data years 2022, 2023, 2024" in text and "2022: 31 gemeenten, 99 wijken, 450 buurten" in text


def test_cli_trend_json_for_a_gemeente(data_dir):
    result = run_geo("trend", "--area", "GM0917", "--indicator", "misdrijven_per_1000_inwoners", "--json",
                     PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode == 0, result.stderr
    points = json.loads(result.stdout)
    assert [p["year"] for p in points] == [2022, 2023, 2024]
    assert [round(p["value"], 1) for p in points] == [66.0, 63.0, 60.0]
    assert all(set(p) == {"year", "value", "source", "break_before", "why"} for p in points)
    assert all(p["why"] is None for p in points)
    assert points[0]["source"].startswith("Politie/CBS 47018NED, 2022")


def test_cli_trend_of_aggregates_carries_coverage(data_dir):
    limburg = json.loads(run_geo("trend", "--area", "limburg", "--indicator", "aantal_inwoners", "--json",
                                 PARKSTAD_DATA_DIR=data_dir).stdout)
    assert [(p["covered"], p["members"]) for p in limburg] == [(31, 31)] * 3
    area = json.loads(run_geo("trend", "--area", "kerkrade-oost", "--indicator", "aantal_inwoners", "--json",
                              PARKSTAD_DATA_DIR=data_dir).stdout)
    assert area[-1]["value"] == 17835 and area[0]["value"] == round(17835 * 0.98 ** 2)  # from wijk WK092801
    assert all("covered" in p and "members" in p for p in area)
    text = run_geo("trend", "--area", "parkstad", "--indicator", "aantal_inwoners", PARKSTAD_DATA_DIR=data_dir).stdout
    assert "2024" in text and "[7/7 with a value]" in text


def test_trend_marks_a_boundary_change_and_gaps(area_data):
    from geo.maps.trend import series

    redivided = series(area_data, derived.REDIVIDED, "aantal_inwoners")
    assert [p.break_before for p in redivided] == [False, True, False]  # CBS flag 3 in 2023
    gone = series(area_data, derived.EXTINCT, "aantal_inwoners")
    assert gone[0].value is not None and [p.value for p in gone[1:]] == [None, None]  # gaps, not zeros
    # the 2024 snapshot has no buurt KWB figures at all: the latest point is a gap, never 0
    assert series(area_data, "BU09280105", "aantal_inwoners")[-1].value is None


def test_cli_trend_refuses_unknown_area_and_indicator(data_dir):
    result = run_geo("trend", "--area", "WK999999", "--indicator", "aantal_inwoners", PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode == 1 and "unknown area 'WK999999'" in result.stderr and "Traceback" not in result.stderr
    result = run_geo("trend", "--area", "GM0917", "--indicator", "nope", PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode == 1 and "unknown indicator 'nope'" in result.stderr


def test_cli_sync_of_a_year_the_source_lacks_writes_nothing(data_dir, multi_year_snapshot):
    before = tree_digest(data_dir)
    result = run_geo("sync", "--source", str(multi_year_snapshot), "--years", "2017-2023",
                     PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode == 1
    assert "no data year 2017, 2018, 2019, 2020, 2021 (years present: 2022, 2023, 2024)" in result.stderr
    assert tree_digest(data_dir) == before


@pytest.mark.parametrize("text", ["20x", "2024-2019", "1850", "2019-"])
def test_years_argument_is_checked(text):
    with pytest.raises(ValueError, match="year"):
        parse_years(text)


def test_years_argument_forms():
    assert parse_years("2019-2021,2024") == [2019, 2020, 2021, 2024]
    assert parse_years("2024") == [2024]


def test_pdok_source_discovers_its_years_from_the_landing_pages(years_server):
    source = PdokApiSource(years_server.url, FAST)
    assert source.available_years() == [2022, 2023, 2024]
    assert resolve_years(source, None) == [2022, 2023, 2024]
    with pytest.raises(SourceError, match="no data year 2021"):
        resolve_years(source, [2021, 2024])


def test_multi_year_sync_from_pdok_stand_in_with_statline(years_server, tmp_path):
    years_server.state.odata_tables["47018NED"] = _odata_rows(years_server.state.root)
    manifest = sync(PdokApiSource(years_server.url, FAST), None, tmp_path)
    assert manifest["years"] == [2022, 2023, 2024]
    assert manifest["tables"]["47018NED"]["rows"] > 0
    assert manifest["tables"]["50120NED"]["rows"] == 0 and "unavailable" in manifest["tables"]["50120NED"]
    data = AreaData.load(tmp_path)
    assert data.for_year(2023).row("GM0928")["misdrijven_per_1000_inwoners"] == pytest.approx(63.0, abs=0.05)


def test_multi_year_sync_failing_half_way_leaves_the_cache_whole(years_server, data_dir):
    before = tree_digest(data_dir)
    # the 2022 buurten come last (latest year first) and keep failing
    years_server.state.faults.append(Fault("wijken-en-buurten-2022/ogc/v1/collections/buurten/items", "503",
                                           times=-1))
    with pytest.raises(SourceError):
        sync(PdokApiSource(years_server.url, FAST), None, data_dir)
    assert tree_digest(data_dir) == before


def test_odata_reader_filters_dimensions_the_server_ignores(years_server):
    years_server.state.odata_tables["47018NED"] = _odata_rows(years_server.state.root)
    frame = statline.read_for_municipalities("47018NED", ["GM0917"], policy=FAST)
    assert set(frame["code"].str[:2]) == {"GM", "WK"} and frame["code"].str[2:6].eq("0917").all()
    assert "soort_misdrijf" not in frame.columns and not frame.duplicated(["code", "period"]).any()
    request = next(r for r in years_server.state.requests if "47018NED" in r)
    assert "startswith%28SoortMisdrijf%2C%270.0.0%27%29" in request  # asked of the server too


def _odata_rows(root) -> list[dict]:
    """The derived 47018NED extract as OData TypedDataSet rows (keys padded like the real service)."""
    frame = pd.read_csv(root / "statline" / "47018NED_derived_for_tests.csv", dtype=str)
    return [{**row, "GeregistreerdeMisdrijven_1": int(row["GeregistreerdeMisdrijven_1"])}
            for row in frame.to_dict(orient="records")]


def test_directory_source_lists_its_years(multi_year_snapshot, snapshot):
    assert DirectorySource(multi_year_snapshot).available_years() == [2022, 2023, 2024]
    assert DirectorySource(snapshot).available_years() == [2024]
