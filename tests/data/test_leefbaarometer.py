"""The Leefbaarometer 3.0 loader, on a STAND-IN download (tests/leefbaarometer_standin.py: the real layout and
columns, rule-made values) beside the real multi-year snapshot; the live file is checked by `pytest --web`."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from geo.data import domain, leefbaarometer
from geo.data.area_data import AreaData
from geo.data.pdok import SourceError
from geo.data.sources import DirectorySource, PdokApiSource
from geo.data.sync import sync
from geo.maps.missing import why_missing
from geo.maps.monitor import monitor, records
from geo.maps.trend import series
from tests import leefbaarometer_standin as standin
from tests.conftest import LBM_PATH

HEERLEN_BUURTEN = ["BU09171000", "BU09171001", "BU09172000"]


@pytest.fixture(scope="module")
def lbm_source(years_snapshot, tmp_path_factory):
    """The real multi-year folder (linked, not copied) plus `leefbaarometer/` with the stand-in zip."""
    root = tmp_path_factory.mktemp("with-lbm")
    for name in ("cbs", "kadaster", "statline"):
        (root / name).symlink_to(years_snapshot / name, target_is_directory=True)
    (root / "leefbaarometer").mkdir()
    buurten = [*HEERLEN_BUURTEN, "BU99990000"]  # the last lies outside the region: not kept
    (root / "leefbaarometer" / "open-data-leefbaarometer-meting-2024.zip").write_bytes(
        standin.archive(buurten, [*domain.limburg_codes(), "GM0363"]))
    return root


@pytest.fixture(scope="module")
def lbm_data(lbm_source, tmp_path_factory) -> AreaData:
    directory = tmp_path_factory.mktemp("lbm-cache")
    sync(DirectorySource(lbm_source), None, directory)
    return AreaData.load(directory)


def test_scores_join_the_data_year_of_their_measurement(lbm_data):
    assert lbm_data.manifest["tables"]["leefbaarometer"]["rows"] == (3 + 31) * len(standin.YEARS)
    for year in (2020, 2022, 2024):
        row = lbm_data.for_year(year).row("BU09172000")
        expected = standin.scores("BU09172000", year)
        assert row["lbm_score"] == pytest.approx(expected["lbm"])
        assert row["lbm_onveiligheid"] == pytest.approx(expected["onv"])
        assert row["lbm_afwijking"] == pytest.approx(sum(expected[k] for k in ("fys", "onv", "soc", "vrz", "won")))
    why = why_missing(lbm_data, "BU09172000", "lbm_score", 2023)  # no measurement in 2023
    assert why.reason == "not_loaded" and why.years_with_values == (2020, 2022, 2024)
    assert "Leefbaarometer 3.0 (BZK), meting 2023" in why.text("nl")


def test_limburg_liveability_is_weighted_by_inhabitants_and_compared_in_the_monitor(lbm_data):
    gemeenten = lbm_data.for_year(2022).layers["gemeenten"].set_index("gemeentecode")
    codes = list(domain.limburg_codes())
    weights = gemeenten.loc[codes, "aantal_inwoners"]
    expected = sum(standin.scores(c, 2022)["lbm"] * weights[c] for c in codes) / weights.sum()
    points = {p.year: p.value for p in series(lbm_data, "limburg", "lbm_score")}
    assert points[2022] == pytest.approx(expected) and points[2019] is None and points[2023] is None
    assert points[2020] is None  # 2020 has inhabitants for Heerlen only: no weights for the other 30
    row = next(r for r in records(monitor(lbm_data, "GM0917"), "nl", "Limburg") if r["problem"] == "Leefbaarheid")
    assert row["indicator_id"] == "lbm_score" and row["year"] == 2024
    assert row["latest"] == pytest.approx(standin.scores("GM0917", 2024)["lbm"])
    assert row["direction"] in ("closing", "widening", "equal") and row["since"] == 2022


@pytest.mark.parametrize("dutch", [False, True])
def test_both_csv_conventions_read_the_same(dutch):
    frame = leefbaarometer.read_archive(standin.archive(["BU09171000"], ["GM0917"], dutch_csv=dutch))
    value = frame.set_index(["code", "period"]).at[("BU09171000", "2022JJ00"), "lbm_score"]
    assert value == pytest.approx(standin.scores("BU09171000", 2022)["lbm"])


def test_a_download_that_is_not_the_leefbaarometer_is_refused_in_one_line():
    with pytest.raises(SourceError, match="not a zip archive"):
        leefbaarometer.read_archive(b"<html>maintenance</html>")
    wrong = io.BytesIO()
    with zipfile.ZipFile(wrong, "w") as zf:
        zf.writestr("Leefbaarometer-scores buurten 2002-2024.csv", "bu_code,jaar,score\nBU09171000,2022,4.1\n")
    with pytest.raises(SourceError, match="missing lbm, afw, fys"):
        leefbaarometer.read_archive(wrong.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Leefbaarometer-scores buurten 2002-2024.csv", "0" * (60 * 2**20))
    with pytest.raises(SourceError, match="would unpack to 60 MB: refused"):
        leefbaarometer.read_archive(bomb.getvalue())


def test_hostile_codes_in_the_file_are_dropped():
    content = (b"bu_code,jaar,lbm,afw,fys,onv,soc,vrz,won\n"
               b"../../etc/passwd,2022,1,1,1,1,1,1,1\nBU09171000,2022,4.1,0.1,0,0,0,0.1,0\n")
    frame = leefbaarometer.read_scores(content)
    assert frame["code"].tolist() == ["BU09171000"]


def test_the_download_through_http_with_a_size_cap(pdok, monkeypatch):
    pdok.state.files[LBM_PATH] = standin.archive(HEERLEN_BUURTEN, ["GM0917"])
    frame = PdokApiSource(pdok.url).fetch_leefbaarometer()
    assert set(frame["code"]) == {*HEERLEN_BUURTEN, "GM0917"}
    monkeypatch.setattr(leefbaarometer, "MAX_DOWNLOAD", 1000)
    with pytest.raises(SourceError, match="more than the 0 MB allowed"):
        PdokApiSource(pdok.url).fetch_leefbaarometer()


def test_without_a_download_the_sync_says_so_and_keeps_going(area_data):
    info = area_data.manifest["tables"]["leefbaarometer"]
    assert info["rows"] == 0 and "no Leefbaarometer download" in info["unavailable"]
    assert isinstance(area_data.layers["buurten"], pd.DataFrame)


def _wfs_features(codes: list[str], year: int) -> list[dict]:
    """What lbm3:buurtscoreYY gives per buurt (stand-in values: the class from the stand-in score)."""
    return [{"type": "Feature", "geometry": None,
             "properties": {"id": code, "year": year, "kscore": 1 + int(code[-1]) % 9, "afw": 0.0}}
            for code in codes]


def test_the_leefbaarometer_classes_come_from_its_wfs(pdok, monkeypatch):
    pdok.state.files[LBM_PATH] = standin.archive(HEERLEN_BUURTEN, ["GM0917"])
    for year in leefbaarometer.CLASS_YEARS:
        pdok.state.wfs_layers[f"lbm3:buurtscore{year % 100:02d}"] = _wfs_features(HEERLEN_BUURTEN, year)
    pdok.state.wfs_layers["lbm3:buurtscore22"] += [{"properties": {"id": "../../x", "kscore": 4}},
                                                   {"properties": {"id": "BU09171000", "kscore": 12}}]
    monkeypatch.setenv("LEEFBAAROMETER_WFS_URL", f"{pdok.url}/lbm3/ows")
    monkeypatch.setattr(leefbaarometer, "WFS_PAGE", 2)  # paged like a large region
    frame = PdokApiSource(pdok.url).fetch_leefbaarometer().set_index(["code", "period"])
    assert frame.at[("BU09172000", "2022JJ00"), "lbm_klasse"] == 1  # 1 + 0 % 9
    assert frame.at[("BU09171001", "2024JJ00"), "lbm_klasse"] == 2
    assert frame.at[("BU09171001", "2024JJ00"), "lbm_score"] == pytest.approx(standin.scores("BU09171001", 2024)["lbm"])
    assert "../../x" not in frame.index.get_level_values(0)  # no hostile codes, no class outside 1-9
    requests = [r for r in pdok.state.requests if "/lbm3/ows" in r]
    assert any("startIndex=2" in r for r in requests) and all("EPSG%3A%3A28992" in r for r in requests)


def test_without_the_wfs_the_scores_still_load(pdok, monkeypatch):
    pdok.state.files[LBM_PATH] = standin.archive(HEERLEN_BUURTEN, ["GM0917"])
    monkeypatch.setenv("LEEFBAAROMETER_WFS_URL", f"{pdok.url}/lbm3/ows")  # no layers: the WFS answers 400
    frame = PdokApiSource(pdok.url).fetch_leefbaarometer()
    assert "lbm_klasse" not in frame.columns and frame["lbm_score"].notna().all()


def test_a_class_is_shown_with_the_leefbaarometer_s_own_name(lbm_source, tmp_path):
    (lbm_source / "leefbaarometer" / "buurtscore22.json").write_text(
        json.dumps({"type": "FeatureCollection", "features": _wfs_features(HEERLEN_BUURTEN, 2022)}))
    try:
        directory = tmp_path / "cache"
        sync(DirectorySource(lbm_source), None, directory)
        data = AreaData.load(directory)
    finally:
        (lbm_source / "leefbaarometer" / "buurtscore22.json").unlink()
    from geo.maps import explorer
    from geo.maps.choropleth import build_choropleth

    view, _ = explorer.parse_view({"level": "buurt", "area": "GM0917", "indicator": "lbm_klasse", "year": "2022"},
                                  data)
    tip = build_choropleth(data, view).properties["BU09172000"]["tip"]
    assert "Leefbaarometer: klasse: 1 (zeer onvoldoende)" in tip
    assert data.catalogue["lbm_klasse"].value_label(6, "de") == "mehr als genügend"
