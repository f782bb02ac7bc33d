"""Normalisation, the indicator catalogue, aggregation with coverage, priority areas, StatLine."""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geo.config import DEFINITIONS_DIR
from geo.data import domain, statline
from geo.data.aggregate import Aggregate, aggregate
from geo.data.domain import DefinitionError
from geo.data.indicators import Catalogue, Indicator, catalogue, evaluate, formula_names
from geo.data.normalize import features_to_frame, snake_case
from geo.data.pdok import SourceError
from geo.maps import areas
from tests.conftest import FAST

# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("aantalInwoners", "aantal_inwoners"),
        ("percentagePersonen0Tot15Jaar", "percentage_personen_0_tot_15_jaar"),
        ("bevolkingsdichtheidInwonersPerKm2", "bevolkingsdichtheid_inwoners_per_km2"),
        ("aantal_inwoners", "aantal_inwoners"),
    ],
)
def test_property_names_become_snake_case(raw, expected):
    assert snake_case(raw) == expected


def test_features_are_normalised():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    features = [
        {
            "type": "Feature",
            "properties": {"buurtcode": "BU1", "aantalInwoners": -99997, "GemiddeldeHuishoudensgrootte": 2.1},
            "geometry": bowtie,
        },
        {
            "type": "Feature",
            "properties": {"buurtcode": "BU2", "aantalInwoners": 1200, "GemiddeldeHuishoudensgrootte": -99995},
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        },
    ]
    frame = features_to_frame(features)
    assert list(frame.columns[:3]) == ["buurtcode", "aantal_inwoners", "gemiddelde_huishoudsgrootte"]
    assert np.isnan(frame.loc[0, "aantal_inwoners"]) and frame.loc[1, "aantal_inwoners"] == 1200
    assert np.isnan(frame.loc[1, "gemiddelde_huishoudsgrootte"])
    assert frame.geometry.is_valid.all() and frame.geometry.iloc[0].area == pytest.approx(0.5)
    assert frame.crs.to_epsg() == 4326


# --- catalogue and formulas ------------------------------------------------------------------


def test_catalogue_loads_with_labels_in_three_languages():
    cat = catalogue()
    assert len(cat) >= 25
    for ind in cat:
        assert ind.label("nl") and ind.label("en") and ind.label("de")
    assert cat["bijstand_per_100_15plus"].direction == "higher_worse"
    assert cat["aantal_inwoners"].aggregation == "sum"


@pytest.mark.parametrize("formula", ["__import__('os').system('x')", "a.b", "a ** 2", "f(a)", "'x' + a"])
def test_formulas_allow_only_arithmetic(formula):
    with pytest.raises(ValueError):
        formula_names(formula)


def test_division_by_zero_is_missing_not_infinite():
    result = evaluate("a / b", {"a": pd.Series([1.0, 2.0]), "b": pd.Series([0.0, 4.0])})
    assert np.isnan(result[0]) and result[1] == 0.5


def test_formula_inputs_must_be_summable_indicators():
    base = dict(
        label_nl="x",
        label_en="x",
        label_de="x",
        unit="",
        kind="mean",
        direction="neutral",
        decimals=0,
        category="c",
        dataset="d",
    )
    a = Indicator(id="a", aggregation="weighted_mean", weight="b", **base)
    b = Indicator(id="b", aggregation="sum", **base)
    bad = Indicator(id="c", aggregation="formula", formula="a / b", **base)
    with pytest.raises(DefinitionError, match="must be a catalogued sum indicator"):
        Catalogue([a, b, bad])


def test_derived_indicators_are_computed(area_data):
    wijken = area_data.layers["wijken"].set_index("wijkcode")
    row = wijken.loc["WK092801"]
    assert row["inwoners_65_plus"] == pytest.approx(
        row["aantal_inwoners"] * row["percentage_personen_65_jaar_en_ouder"] / 100
    )
    assert row["woningen_per_1000_inwoners"] == pytest.approx(1000 * row["woningvoorraad"] / row["aantal_inwoners"])


# --- aggregation -----------------------------------------------------------------------------


def frame(**columns):
    return pd.DataFrame(columns)


def test_a_sum_of_only_some_members_has_no_value_but_says_its_coverage():
    """150 would pass for the total of three areas while one is unknown: the rule gives no value instead."""
    result = aggregate(frame(aantal_inwoners=[100.0, np.nan, 50.0]), catalogue()["aantal_inwoners"])
    assert result.value is None and (result.covered, result.members) == (2, 3) and result.partial
    whole = aggregate(frame(aantal_inwoners=[100.0, 20.0, 50.0]), catalogue()["aantal_inwoners"])
    assert whole.value == 170 and whole.complete and not whole.partial


def test_weighted_mean_stands_on_all_members_and_ignores_those_without_weight():
    ind = catalogue()["percentage_personen_65_jaar_en_ouder"]
    some = frame(percentage_personen_65_jaar_en_ouder=[10.0, 40.0, np.nan], aantal_inwoners=[300.0, 100.0, 500.0])
    assert aggregate(some, ind).value is None and (aggregate(some, ind).covered, aggregate(some, ind).members) == (2, 3)
    # a buurt without inhabitants adds nothing to a mean weighted by inhabitants, whatever CBS gives for it
    empty_buurt = frame(percentage_personen_65_jaar_en_ouder=[10.0, 40.0, np.nan], aantal_inwoners=[300.0, 100.0, 0.0])
    result = aggregate(empty_buurt, ind)
    assert result.value == pytest.approx((10 * 300 + 40 * 100) / 400) and result.complete


def test_formula_indicator_recomputed_from_summed_inputs():
    cat = catalogue()
    data = cat.add_derived(frame(woningvoorraad=[500.0, 100.0, 80.0], aantal_inwoners=[1000.0, 1000.0, 400.0]))
    result = aggregate(data, cat["woningen_per_1000_inwoners"])
    assert result.value == pytest.approx(1000 * 680 / 2400)  # not the mean of 500, 100 and 200
    partial = cat.add_derived(frame(woningvoorraad=[500.0, 100.0, 80.0], aantal_inwoners=[1000.0, 1000.0, np.nan]))
    result = aggregate(partial, cat["woningen_per_1000_inwoners"])
    assert result.value is None and (result.covered, result.members) == (2, 3)


def test_nobody_can_build_a_partial_aggregate_with_a_value():
    assert Aggregate(87_086.0, members=31, covered=1).value is None  # Heerlen alone is not Limburg


def test_nothing_known_gives_none():
    result = aggregate(frame(aantal_inwoners=[np.nan, np.nan]), catalogue()["aantal_inwoners"])
    assert result.value is None and result.covered == 0
    assert (
        aggregate(frame(stedelijkheid_adressen_per_km2=[1.0]), catalogue()["stedelijkheid_adressen_per_km2"]).value
        is None
    )


def test_region_averages(area_data):
    parkstad = area_data.region_aggregate("parkstad", "aantal_inwoners")
    assert parkstad.complete and 250_000 < parkstad.value < 262_000  # "about 257,000"
    limburg = area_data.region_aggregate("limburg", "percentage_personen_65_jaar_en_ouder")
    assert limburg.members == 31 and limburg.complete and 22 < limburg.value < 28


# --- priority areas --------------------------------------------------------------------------


def test_eight_areas_with_geometry_and_area(area_data):
    summaries = areas.build_areas(area_data)
    assert [s.area_id for s in summaries] == list(domain.priority_areas())
    for s in summaries:
        assert s.geometry is not None and not s.geometry.is_empty and s.area_km2 > 0
        assert not s.unknown_buurten


def test_area_made_of_whole_wijken_uses_wijk_figures(area_data):
    summary = {s.area_id: s for s in areas.build_areas(area_data)}
    kerkrade = summary["kerkrade-oost"]
    wijk = area_data.row("WK092801")
    assert kerkrade.figures["aantal_inwoners"].basis == "wijken"
    assert kerkrade.inhabitants == wijk["aantal_inwoners"]
    assert kerkrade.area_km2 == pytest.approx(wijk["oppervlakte_totaal_in_ha"] / 100)
    heerlen_noord = summary["heerlen-noord"]
    assert heerlen_noord.figures["aantal_inwoners"].aggregate.members == 13
    assert 50_000 < heerlen_noord.inhabitants < 56_000  # programme: "about 55,000"
    # a partial wijk cannot stand in for its buurten: no figures invented
    assert summary["geleen-zuid"].inhabitants is None and summary["geleen-zuid"].area_source == "geometry"


def test_whole_wijken_detection(area_data):
    assert areas.whole_wijken(area_data, ["BU09570400", "BU09570401", "BU09570402", "BU09570403"]) == ["WK095704"]
    assert areas.whole_wijken(area_data, ["BU09570400"]) is None


def test_area_definitions_are_data(tmp_path, area_data, monkeypatch):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs")
    path = tmp_path / "defs" / "priority_areas.csv"
    text = path.read_text().replace("BU09280104 BU09280105", "BU09280104 BU09289999")
    path.write_text(text)
    defs = domain.priority_areas(tmp_path / "defs")
    monkeypatch.setattr(domain, "priority_areas", lambda: defs)
    kerkrade = {s.area_id: s for s in areas.build_areas(area_data)}["kerkrade-oost"]
    assert kerkrade.unknown_buurten == ["BU09289999"] and len(kerkrade.buurten) == 5
    assert kerkrade.inhabitants is None  # five buurten are no longer the whole wijk


def test_bad_definition_names_file_and_line(tmp_path):
    shutil.copytree(DEFINITIONS_DIR, tmp_path / "defs")
    path = tmp_path / "defs" / "priority_areas.csv"
    path.write_text(path.read_text().replace("BU09570400", "BU0957040X"))
    with pytest.raises(DefinitionError, match=r"priority_areas.csv line 5: .*BU0957040X"):
        domain.priority_areas(tmp_path / "defs")


def test_focus_municipalities():
    assert len(domain.focus_codes()) == 13 and len(domain.limburg_codes()) == 31
    assert set(domain.parkstad_codes()) <= set(domain.limburg_codes())


def test_areas_frame_for_maps(area_data):
    frame = areas.areas_frame(areas.build_areas(area_data))
    assert isinstance(frame, gpd.GeoDataFrame) and len(frame) == 8 and frame.crs.to_epsg() == 4326
    # a dissolved area has no internal borders left
    donderberg = frame.set_index("area_id").loc["donderberg", "geometry"]
    assert isinstance(donderberg, Polygon) or donderberg.geom_type == "MultiPolygon"
    assert donderberg.intersects(box(5.98, 51.18, 6.02, 51.21))


# --- StatLine --------------------------------------------------------------------------------


def test_statline_csv_benefit_series(snapshot):
    table = statline.read_csv(snapshot / "statline" / "85586NED_uitkeringen_heerlen.csv")
    series = statline.benefit_series(table, "GM0917")
    assert len(series) == 45 and series["date"].is_monotonic_increasing
    assert series["period"].iloc[0] == "2013MM03" and series["period"].iloc[-1] == "2024MM03"
    suppressed = table[table["bijstand_aantal"].isna()]
    assert len(suppressed) == 108  # empty cells stay missing, not 0


def test_statline_period_codes():
    assert statline.period_start("2024MM03") == pd.Timestamp("2024-03-01")
    assert statline.period_start("2023KW02") == pd.Timestamp("2023-04-01")
    assert statline.period_start("2022JJ00") == pd.Timestamp("2022-01-01")
    assert statline.period_start("garbage") is None


def test_statline_odata_paging(pdok):
    rows = [
        {
            "ID": i,
            "WijkenEnBuurten": "GM0917    ",
            "Perioden": f"{2013 + i // 4}MM{3 * (i % 4) + 3:02d}",
            "PersonenMetBijstand_3": 3000 + i if i != 5 else -99997,
        }
        for i in range(45)
    ]
    pdok.state.odata_tables["85586NED"] = rows
    pdok.state.odata_page = 10
    table = statline.read_odata("85586NED", base_url=f"{pdok.url}/ODataApi/OData", policy=FAST)
    assert len(table) == 45 and set(table["code"]) == {"GM0917"}
    assert "personen_met_bijstand" in table.columns and table["personen_met_bijstand"].isna().sum() == 1
    assert sum("TypedDataSet" in r for r in pdok.state.requests) == 5


def test_statline_rejects_bad_table_id():
    with pytest.raises(SourceError):
        statline.read_odata("../etc", base_url="http://127.0.0.1:9")


def test_units_show_only_when_they_add_something_in_each_language():
    from geo.data.indicators import catalogue, units

    c = catalogue()
    assert {i.unit for i in c} <= set(units()), "every unit needs its translations in data/units.csv"
    assert [c["aantal_inwoners"].titled(lang) for lang in ("nl", "en", "de")] == ["Inwoners", "Inhabitants",
                                                                                  "Einwohner"]
    assert c["bevolkingsdichtheid_inwoners_per_km2"].titled("en") == "Population density (inh./km²)"
    assert c["woningen_per_1000_inwoners"].titled("nl") == "Woningen per 1000 inwoners"  # no "(per 1.000 inwoners)"
    assert c["gemiddelde_huishoudsgrootte"].titled("de") == "Durchschnittliche Haushaltsgröße (Personen)"
    assert c["gemiddelde_woningwaarde"].titled("en") == "Average property value (WOZ) (× € 1,000)"
    assert c["aantal_inwoners"].unit_name("de") == "Einwohner"  # tables of definitions still name it


def test_every_visitor_text_exists_in_each_language():
    from geo.data import domain
    from geo.data.indicators import catalogue

    for ind in catalogue():
        assert bool(ind.note) == bool(ind.note_en) == bool(ind.note_de), ind.id
    for area in domain.priority_areas().values():
        texts = {area.definition_in(lang) for lang in ("nl", "en", "de")}
        assert len(texts) == 3, area.area_id  # three different texts: each language its own
    assert domain.priority_areas()["pottenberg-nazareth"].definition_in("de").startswith("Zwei getrennte CBS-Viertel")
