"""Numbers a councillor can trust, on the REAL history (../shared/pdok-snapshot-years: CBS figures for 2019, 2020,
2022, 2023 and 2024). Expected values are computed here independently, straight from the raw GeoJSON files, and
`geo trend`, /monitor, /gebieden, the explorer and the exports must agree with them and with each other. No
aggregate of only some members is ever shown as a value; every empty figure says why."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from geo.config import DEFINITIONS_DIR
from geo.data.normalize import SENTINEL_COLUMN, features_to_frame
from geo.export import csv_bytes
from geo.maps import explorer
from geo.maps.choropleth import build_choropleth
from geo.maps.missing import why_missing
from geo.maps.monitor import export_frame, monitor, records
from geo.maps.trend import series
from tests.data.test_sync import run_geo
from tests.test_app import html_table, problems, run, run_page

YEARS = [2019, 2020, 2022, 2023, 2024]
PARKSTAD = ["GM1954", "GM0899", "GM0917", "GM0928", "GM0882", "GM0965", "GM0986"]


@cache
def limburg_codes() -> tuple[str, ...]:
    with open(DEFINITIONS_DIR / "provinces.csv", newline="", encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["code"] == "PV31")
    return tuple(row["gemeentecodes"].split())


@cache
def _raw(root: str, year: int, layer: str) -> dict[str, dict]:
    path = Path(root) / "cbs" / f"wijken-en-buurten-{year}" / f"{layer}.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    key = {"gemeenten": "gemeentecode", "wijken": "wijkcode", "buurten": "buurtcode"}[layer]
    return {f["properties"][key]: f["properties"] for f in features}


def raw(years_snapshot: Path, year: int, layer: str = "gemeenten") -> dict[str, dict]:
    return _raw(str(years_snapshot), year, layer)


def independent_sum(props: dict[str, dict], codes, name: str) -> tuple[float | None, int]:
    values = [props[c].get(name) for c in codes if c in props]
    present = [v for v in values if isinstance(v, (int, float))]
    return (float(sum(present)) if len(present) == len(codes) else None), len(present)


def independent_mean(props: dict[str, dict], codes, name: str, weight) -> float | None:
    pairs = [(props[c].get(name), weight(props[c])) for c in codes]
    if any(not isinstance(v, (int, float)) or w is None for v, w in pairs):
        return None
    return sum(v * w for v, w in pairs) / sum(w for _, w in pairs)


def aged_15_plus(p: dict) -> float | None:
    if not isinstance(p.get("aantal_inwoners"), (int, float)) or p.get("percentage_personen_0_tot_15_jaar") is None:
        return None
    return p["aantal_inwoners"] * (100 - p["percentage_personen_0_tot_15_jaar"]) / 100


# --- the rule: a value stands on all its members ----------------------------------------------------------------


def test_geo_trend_of_limburg_equals_the_raw_files_and_never_passes_heerlen_off_as_limburg(data_dir, years_snapshot):
    result = run_geo("trend", "--area", "limburg", "--indicator", "aantal_inwoners", "--json",
                     PARKSTAD_DATA_DIR=data_dir)
    assert result.returncode == 0, result.stderr
    points = {p["year"]: p for p in json.loads(result.stdout)}
    assert sorted(points) == YEARS
    for year in YEARS:
        expected, covered = independent_sum(raw(years_snapshot, year), limburg_codes(), "aantal_inwoners")
        assert points[year]["value"] == expected, year
        assert (points[year]["covered"], points[year]["members"]) == (covered, 31)
    # 2020 holds Heerlen only: 87,086 inhabitants are not "Limburg"
    assert points[2020]["value"] is None and points[2020]["covered"] == 1
    assert points[2020]["why"]["reason"] == "partial"
    assert points[2020]["why"]["text"] == "Not computed: a figure for only 1 of the 31 municipalities."
    assert points[2023]["value"] == 1_128_367 and points[2023]["why"] is None


def test_weighted_means_equal_an_independent_computation(area_data, years_snapshot):
    gemeenten = raw(years_snapshot, 2022)
    participation = independent_mean(gemeenten, limburg_codes(), "netto_arbeidsparticipatie", aged_15_plus)
    trend = {p.year: p for p in series(area_data, "limburg", "netto_arbeidsparticipatie")}
    assert trend[2022].value == pytest.approx(participation, rel=1e-12)
    vacancy = independent_mean(gemeenten, PARKSTAD, "percentage_leegstand_woningen", lambda p: p.get("woningvoorraad"))
    assert series(area_data, "parkstad", "percentage_leegstand_woningen")[2].value == pytest.approx(vacancy, rel=1e-12)


def test_trend_monitor_explorer_and_export_agree(app_env, area_data, years_snapshot):
    """One figure, Parkstad's vacancy in 2022, wherever it is shown."""
    expected = independent_mean(raw(years_snapshot, 2022), PARKSTAD, "percentage_leegstand_woningen",
                                lambda p: p.get("woningvoorraad"))
    limburg = independent_mean(raw(years_snapshot, 2022), limburg_codes(), "percentage_leegstand_woningen",
                               lambda p: p.get("woningvoorraad"))
    trend = {p.year: p.value for p in series(area_data, "parkstad", "percentage_leegstand_woningen")}
    record = next(r for r in records(monitor(area_data, "parkstad"), "nl", "Limburg") if r["problem"] == "Leegstand")
    params = {"level": "gemeente", "area": "parkstad", "indicator": "percentage_leegstand_woningen", "year": "2022"}
    view, _ = explorer.parse_view(params, area_data)
    refs = explorer.reference_rows(area_data, view).set_index("code")
    assert trend[2022] == pytest.approx(expected) and record["latest"] == pytest.approx(expected)
    assert refs.at["parkstad", "value"] == pytest.approx(expected)
    assert record["reference"] == pytest.approx(limburg) and refs.at["limburg", "value"] == pytest.approx(limburg)
    assert record["gap"] == pytest.approx(expected - limburg)
    # the CSV download is built from the same rows (geo.maps.monitor.export_frame), through the export writer
    exported = pd.read_csv(io.StringIO(csv_bytes(export_frame([record])).decode("utf-8-sig")))
    assert exported.at[0, "latest"] == pytest.approx(expected) and exported.at[0, "reference"] == pytest.approx(limburg)
    at = run_page("app_pages/monitor.py", area="parkstad")
    shown = html_table(at).set_index("Probleem").at["Leegstand", "Laatste waarde"]
    assert shown.startswith(f"{expected:.1f}".replace(".", ","))


def test_explorer_compares_with_limburg_only_where_limburg_has_a_value(area_data):
    """Benefits (StatLine 85586NED) are loaded for Heerlen only: Limburg's 'average' would be Heerlen's."""
    view, _ = explorer.parse_view({"level": "buurt", "area": "GM0917", "indicator": "bijstand_pct_kwartaal",
                                   "ref": "limburg"}, area_data)
    why = explorer.comparison_unavailable(area_data, view)
    assert why is not None and why.text("nl") == "Niet berekend: een cijfer voor maar 1 van de 31 gemeenten."
    table = explorer.scope_table(area_data, view)
    assert "difference" not in table and "reference" not in table
    choropleth = build_choropleth(area_data, view)
    coloured = [c for c in choropleth.properties if c not in choropleth.missing]
    assert len(coloured) >= 50  # the map shows the figure itself, not 57 grey areas
    assert all("afgeschermd" not in r.text("nl") for r in choropleth.missing.values())


def test_explorer_page_says_why_it_does_not_compare(app_env):
    at = run(level="buurt", area="GM0917", indicator="bijstand_pct_kwartaal", ref="limburg")
    assert at.query_params["ref"] == "limburg"  # kept: another year may allow it
    notes = " ".join(i.value for i in at.info)
    assert "Vergelijking met Gemiddelde Limburg is hier niet mogelijk" in notes and "1 van de 31 gemeenten" in notes
    ranking = at.dataframe[0].value
    assert "Vergelijkingswaarde" not in ranking.columns and "Verschil" not in ranking.columns
    assert at.dataframe[0].proto.placeholder == "–"  # the grid shows "–", never "None", for an empty figure
    empty = ranking[ranking.iloc[:, 4].isna()]
    assert len(empty) and (empty["Waarom geen cijfer"] == "De bron geeft voor dit gebied geen cijfer.").all()
    references = pd.DataFrame(at.dataframe[1].value)
    assert "None" not in " ".join(map(str, references.to_numpy().ravel()))
    assert not problems(at)


def test_priority_area_cards_never_show_heerlen_as_limburg(app_env, area_data):
    at = run_page("app_pages/gebieden.py")
    for frame in (d.value for d in at.dataframe):
        frame = pd.DataFrame(frame)
        if "Limburg" in frame.columns:
            assert "5,0" not in set(frame["Limburg"]), frame  # Heerlen's social-assistance share
            assert "None" not in " ".join(map(str, frame.to_numpy().ravel()))


# --- definitions exactly as CBS gives them ----------------------------------------------------------------------


def test_the_bottom_40_percent_measure_is_never_read_as_low_income(area_data, years_snapshot):
    heerlen_2022 = raw(years_snapshot, 2022)["GM0917"]["percentage_huishoudens_met_laag_inkomen"]
    assert heerlen_2022 == 55  # what PDOK's 2022 WFS delivered under this name: CBS's national bottom 40 %
    row = area_data.for_year(2022).row("GM0917")
    assert row["percentage_huishoudens_met_laagste_inkomen"] == 55
    assert pd.isna(row["percentage_huishoudens_met_laag_inkomen"])
    low = area_data.catalogue["percentage_huishoudens_met_laag_inkomen"]
    bottom = area_data.catalogue["percentage_huishoudens_met_laagste_inkomen"]
    assert "lage-inkomensgrens" in low.label("nl") and "40 %" in bottom.label("nl")
    assert bottom.problem is None and low.problem == "armoede_jeugd"  # the 40 % measure is no poverty proxy
    assert all(p.value is None for p in series(area_data, "GM0917", low.id))


def test_income_figures_name_the_year_they_describe(area_data):
    income = area_data.catalogue["gemiddeld_inkomen_per_inwoner"]
    assert income.source(2022, None, "nl") == "Inkomen 2020, CBS Kerncijfers wijken en buurten 2022 (PDOK)"
    assert income.source(2022, None, "en").startswith("Income 2020, ")
    points = {p.year: p for p in series(area_data, "GM0917", income.id)}
    assert points[2022].reference_year == 2020 and points[2019].reference_year == 2017


def test_youth_care_is_weighted_by_young_inhabitants(area_data):
    youth = area_data.catalogue["percentage_jongeren_met_jeugdzorg_in_natura"]
    assert youth.weight == "inwoners_0_tot_25" and "tot 23 jaar" in youth.note
    assert area_data.catalogue["netto_arbeidsparticipatie"].weight == "inwoners_15_plus"


# --- every empty cell says why ----------------------------------------------------------------------------------


def test_each_kind_of_gap_is_told_apart(area_data):
    assert why_missing(area_data, "GM0917", "aantal_inwoners", 2021).reason == "no_year"
    # 2020 gemeenten other than Heerlen: the year's level has it for Heerlen only, the source gives nothing here
    assert why_missing(area_data, "GM0928", "aantal_inwoners", 2020).reason == "no_value"
    at_level = why_missing(area_data, "BU09280105", "percentage_leegstand_woningen", 2022)
    assert (at_level.reason, at_level.level) == ("not_at_level", "gemeenten")
    loaded = why_missing(area_data, "GM0917", "gemiddeld_inkomen_per_inwoner", 2023)
    assert loaded.reason == "not_loaded" and loaded.years_with_values == (2019, 2022)
    assert "CBS Kerncijfers wijken en buurten 2023" in loaded.text("nl")


def test_a_cbs_sentinel_is_said_as_cbs_says_it():
    features = [{"type": "Feature", "geometry": None,
                 "properties": {"buurtcode": f"BU0917000{i}", "aantal_inwoners": v}}
                for i, v in enumerate([120, -99997, -99995, None])]
    frame = features_to_frame(features)
    assert frame["aantal_inwoners"].isna().sum() == 3
    assert json.loads(frame.at[1, SENTINEL_COLUMN]) == {"aantal_inwoners": -99997}
    assert json.loads(frame.at[2, SENTINEL_COLUMN]) == {"aantal_inwoners": -99995}
    assert pd.isna(frame.at[3, SENTINEL_COLUMN])  # a plain null: the source says nothing about why


def test_explorer_ranking_and_its_csv_equal_the_raw_wijken(area_data, years_snapshot):
    """Heerlen's 23 wijken in 2022 and in 2019 (the 2019 figures were matched by name; README of the snapshot)."""
    for year in (2019, 2022):
        raw_wijken = {code: p["aantal_inwoners"] for code, p in raw(years_snapshot, year, "wijken").items()
                      if code.startswith("WK0917")}
        view, _ = explorer.parse_view({"level": "wijk", "area": "GM0917", "indicator": "aantal_inwoners",
                                       "year": str(year)}, area_data)
        ranking = explorer.ranking(area_data, view)
        assert dict(zip(ranking["code"], ranking["value"], strict=True)) == raw_wijken
        exported = pd.read_csv(io.StringIO(csv_bytes(ranking).decode("utf-8-sig")), dtype={"code": str})
        assert dict(zip(exported["code"], exported["value"], strict=True)) == raw_wijken


def test_only_what_cbs_marks_is_called_suppressed(pdok, tmp_path):
    """PDOK sends -99997 for one wijk's inhabitants and -99995 for another's dwellings: the map says what CBS
    said of each (secret or not present; published later), and of no other area."""
    from geo.data.area_data import AreaData
    from geo.data.sources import PdokApiSource
    from geo.data.sync import sync
    from tests.conftest import FAST

    pdok.state.sentinels = {"WK091710": {"aantal_inwoners": -99997}, "WK091711": {"woningvoorraad": -99995}}
    sync(PdokApiSource(pdok.url, FAST), 2024, tmp_path / "cache")
    data = AreaData.load(tmp_path / "cache")
    view, _ = explorer.parse_view({"level": "wijk", "area": "GM0917", "indicator": "aantal_inwoners"}, data)
    reasons = build_choropleth(data, view).missing
    assert set(reasons) == {"WK091710"}
    # its inhabitants are the secret figure: nothing says the wijk is small
    assert reasons["WK091710"].text("nl").startswith("Door CBS afgeschermd of niet aanwezig: CBS publiceert")
    view, _ = explorer.parse_view({"level": "wijk", "area": "GM0917", "indicator": "woningen_per_1000_inwoners"},
                                  data)
    reasons = build_choropleth(data, view).missing  # derived: missing because an input is
    assert reasons["WK091711"].text("nl") == "CBS publiceert dit cijfer in een latere versie."
    assert reasons["WK091710"].reason == "suppressed"
