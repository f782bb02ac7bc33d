"""The Netherlands as a reference: CBS's national row of the Kerncijfers tables. The row here is a STAND-IN
(rule-made values, marked by its file name and in this docstring) in the real StatLine key layout of 85984NED
(../shared statline/85984NED_DataProperties.csv); the live tables are checked by `pytest --web`."""

from __future__ import annotations

import csv

import pytest

from geo.data import national
from geo.data.area_data import AreaData
from geo.data.sources import DirectorySource, PdokApiSource
from geo.data.sync import sync
from geo.maps import explorer
from geo.maps.monitor import monitor, records
from geo.maps.trend import comparison, series

NL_2024 = {  # stand-in values, OData keys as in 85984NED
    "WijkenEnBuurten": "NL01      ", "AantalInwoners_5": "18000000", "k_0Tot15Jaar_8": "2700000",
    "k_15Tot25Jaar_9": "2160000", "k_65JaarOfOuder_12": "3600000", "HuishoudensTotaal_29": "8200000",
    "Woningvoorraad_35": "8100000", "PersonenPerSoortUitkeringBijstand_94": "414000",
    "Nettoarbeidsparticipatie_78": "69", "AfstandTotHuisartsenpraktijk_117": "1.1",
    "Koopwoningen_47": "-99997",  # a CBS sentinel: no value, never a number
}


@pytest.fixture(scope="module")
def nl_data(years_snapshot, tmp_path_factory) -> AreaData:
    root = tmp_path_factory.mktemp("with-nl")
    for name in ("cbs", "kadaster"):
        (root / name).symlink_to(years_snapshot / name, target_is_directory=True)
    (root / "statline").mkdir()
    for path in (years_snapshot / "statline").iterdir():
        (root / "statline" / path.name).symlink_to(path)
    with open(root / "statline" / "85984NED_nederland_STAND-IN.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(NL_2024))
        writer.writeheader()
        writer.writerow(NL_2024)
    directory = tmp_path_factory.mktemp("nl-cache")
    sync(DirectorySource(root), None, directory)
    return AreaData.load(directory)


def test_counts_become_the_shares_pdok_gives_and_sentinels_stay_empty():
    row = national.national_row(NL_2024, 2024)
    assert row["aantal_inwoners"] == 18_000_000 and row["period"] == "2024JJ00"
    assert row["percentage_personen_0_tot_15_jaar"] == pytest.approx(15.0)
    assert row["percentage_personen_65_jaar_en_ouder"] == pytest.approx(20.0)
    assert row["percentage_koopwoningen"] is None and row["gemiddelde_woningwaarde"] is None


def test_the_netherlands_is_a_reference_where_cbs_gives_its_figure(nl_data):
    figure = nl_data.region_aggregate("nederland", "bijstand_per_100_15plus")  # derived from national inputs
    assert figure.value == pytest.approx(100 * 414_000 / (18_000_000 * 0.85)) and figure.published
    older = nl_data.for_year(2022).region_aggregate("nederland", "aantal_inwoners")
    assert older.value is None  # no national row for 2022 in this source: said, not guessed
    points = {p.year: p for p in series(nl_data, "nederland", "aantal_inwoners")}
    assert points[2024].value == 18_000_000 and points[2022].why.reason == "not_loaded"


def test_explorer_monitor_and_trend_show_the_netherlands(nl_data):
    view, notices = explorer.parse_view({"level": "gemeente", "area": "parkstad",
                                         "indicator": "netto_arbeidsparticipatie", "ref": "nederland",
                                         "year": "2024"}, nl_data)
    assert notices == [] and view.ref == "nederland"
    assert explorer.reference_label("nederland", "nl") == "Gemiddelde Nederland"
    refs = explorer.reference_rows(nl_data, view).set_index("code")
    assert refs.at["nederland", "name"] == "Nederland" and refs.at["nederland", "value"] == 69
    frame = comparison(nl_data, "GM0917", "percentage_personen_65_jaar_en_ouder", "en", "Heerlen")
    assert "Netherlands" in set(frame["series"]) and set(frame["role"]) >= {"country", "province"}
    counts = comparison(nl_data, "GM0917", "aantal_inwoners", "en", "Heerlen")
    assert set(counts["role"]) == {"area"}  # a count is not drawn beside the Netherlands' 18 million
    row = next(r for r in records(monitor(nl_data, "GM0917"), "nl", "Limburg") if r["problem"] == "Voorzieningen")
    assert row["year"] == 2023 and row["national"] is None and "landelijk cijfer" in row["national_why"]


def test_without_national_figures_the_trend_has_no_netherlands_line(area_data):
    frame = comparison(area_data, "GM0917", "percentage_personen_65_jaar_en_ouder", "nl", "Heerlen")
    assert "country" not in set(frame["role"]) and "province" in set(frame["role"])
    assert "no national row" in area_data.manifest["tables"]["nederland"]["unavailable"]


def test_the_national_row_through_odata(pdok):
    pdok.state.odata_tables["85984NED"] = [{**NL_2024, "WijkenEnBuurten": "GM0917    ", "AantalInwoners_5": "87461"},
                                           NL_2024]
    frame = PdokApiSource(pdok.url).fetch_national([2023, 2024])
    assert frame["period"].tolist() == ["2024JJ00"] and frame.at[0, "aantal_inwoners"] == 18_000_000
