"""Map-explorer rules without Streamlit: view parsing, scopes, classes, legend, references, clicks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.i18n import LANGUAGES, number, t, translations
from geo.maps import explorer
from geo.maps.choropleth import build_choropleth, legend_rows, prepare_geometry
from geo.maps.classify import DIVERGING, MISSING_COLOUR, SEQUENTIAL, classify
from geo.maps.explorer import View, parse_view
from geo.maps.leaflet import payload_bytes, tooltip_html

# --- classification and legend ---------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_every_value_gets_one_class(scheme, k):
    values = pd.Series(np.arange(100, dtype=float) ** 1.5)
    result = classify(values, scheme, k)
    assert len(result.classes) == k
    assert sum(c.count for c in result.classes) == 100
    assert result.class_of.min() == 0 and result.class_of.max() == k - 1
    assert [c.colour for c in result.classes] == SEQUENTIAL[k]
    for a, b in zip(result.classes, result.classes[1:], strict=False):
        assert a.upper <= b.lower + 1e-9 or a.upper == b.lower


def test_missing_values_get_their_own_class():
    result = classify(pd.Series([1.0, 2.0, np.nan, 4.0, np.nan, 6.0]), "quantiles", 3)
    missing = result.classes[-1]
    assert missing.missing and missing.count == 2 and missing.colour == MISSING_COLOUR
    assert (result.class_of == -1).sum() == 2
    assert sum(c.count for c in result.classes) == 6


def test_few_distinct_values_give_fewer_classes():
    result = classify(pd.Series([5.0, 5.0, 7.0, 7.0]), "quantiles", 5)
    assert len(result.classes) == 2 and sum(c.count for c in result.classes) == 4
    only = classify(pd.Series([3.0, 3.0]), "natural_breaks", 5)
    assert len(only.classes) == 1 and only.classes[0].count == 2


def test_all_missing_gives_only_the_missing_class():
    result = classify(pd.Series([np.nan, np.nan]), "quantiles", 5)
    assert len(result.classes) == 1 and result.classes[0].missing


def test_diverging_classes_are_symmetric_around_zero():
    result = classify(pd.Series([-3.0, -1.0, 0.0, 2.0, 6.0]), "quantiles", 5, diverging=True)
    assert result.classes[0].lower == -6 and result.classes[-1].upper == 6
    middle = result.classes[2]
    assert middle.lower < 0 < middle.upper and middle.colour == DIVERGING[5][2]
    assert result.class_of.iloc[2] == 2  # exactly the reference: the neutral class


def test_numbers_follow_the_language():
    assert number(12345.67, 1, "nl") == "12.345,7"
    assert number(12345.67, 1, "de") == "12.345,7"
    assert number(12345.67, 1, "en") == "12,345.7"
    assert number(None) == "–" and number(float("nan")) == "–"


def test_every_translation_has_three_languages():
    for key in translations():
        for lang in LANGUAGES:
            assert t(key, lang)


# --- the view from the URL -------------------------------------------------------------------


def test_deep_link_is_read_exactly(area_data):
    view, notices = parse_view({"level": "buurt", "area": "kerkrade-oost", "indicator": "aantal_inwoners",
                                "classes": "4", "scheme": "equal_interval", "lang": "de"}, area_data)
    assert view == View(lang="de", level="buurt", area="kerkrade-oost", indicator="aantal_inwoners", classes=4,
                        scheme="equal_interval", ref="none", year=2024)  # no year in the link: the latest
    assert notices == []
    assert parse_view(view.params(), area_data)[0] == view  # params round-trip


@pytest.mark.parametrize(
    ("param", "value"),
    [("level", "straat"), ("area", "<script>"), ("indicator", "nope"), ("classes", "99"), ("classes", "x"),
     ("scheme", "jenks"), ("ref", "nl"), ("lang", "fr")],
)
def test_unknown_values_fall_back_with_a_notice(area_data, param, value):
    view, notices = parse_view({param: value}, area_data)
    assert getattr(view, param) == getattr(View(), param)
    assert [(n.param, n.given, n.reason) for n in notices] == [(param, value, "unknown")]


def test_a_count_compared_with_an_average_uses_its_rate(area_data):
    """ref=limburg on crimes (a count) keeps the user's comparison, on crimes per 1,000 inhabitants."""
    view, notices = parse_view({"indicator": "misdrijven_totaal", "ref": "limburg", "level": "gemeente"}, area_data)
    assert (view.indicator, view.ref) == ("misdrijven_per_1000_inwoners", "limburg")
    assert [(n.param, n.used, n.reason) for n in notices] == [
        ("indicator", "misdrijven_per_1000_inwoners", "notice_ref_compared_as")]
    view, _ = parse_view({"indicator": "aantal_inwoners", "ref": "parkstad"}, area_data)
    assert (view.indicator, view.ref) == ("bevolkingsdichtheid_inwoners_per_km2", "parkstad")


def test_meaningless_combinations_are_adjusted(area_data):
    view, notices = parse_view({"indicator": "oppervlakte_totaal_in_ha", "ref": "limburg"}, area_data)
    assert view.ref == "none" and notices[0].reason == "notice_ref_needs_ratio"  # a count with no rate to use
    view, notices = parse_view({"level": "gemeente", "ref": "gemeente",
                                "indicator": "percentage_personen_65_jaar_en_ouder"}, area_data)
    assert view.ref == "none" and notices[0].reason == "notice_ref_gemeente_level"
    view, notices = parse_view({"level": "wijk", "area": "limburg"}, area_data)
    assert view.area == "all" and notices[0].reason == "notice_limburg_only_gemeenten"
    view, notices = parse_view({"level": "buurt", "area": "GM0888"}, area_data)  # Beek: no buurten loaded
    assert view.area == "all" and notices[0].reason == "notice_no_detail_for_gemeente"


# --- scopes and references -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "area", "count"),
    [("gemeente", "limburg", 31), ("gemeente", "all", 13), ("gemeente", "parkstad", 7), ("wijk", "parkstad", 49),
     ("buurt", "all", 449), ("buurt", "kerkrade-oost", 6), ("wijk", "heerlen-noord", 13),
     ("gemeente", "vallisveld", 1), ("buurt", "GM0981", 9)],
)
def test_scope_sizes(area_data, level, area, count):
    assert len(explorer.scope_frame(area_data, level, area)) == count


def test_difference_from_municipality(area_data):
    view = View(level="wijk", area="GM0928", indicator="percentage_personen_65_jaar_en_ouder", ref="gemeente")
    table = explorer.ranking(area_data, view)
    kerkrade = area_data.row("GM0928")["percentage_personen_65_jaar_en_ouder"]
    assert (table["reference"] == kerkrade).all()
    assert np.allclose(table["difference"], table["value"] - kerkrade)


def test_difference_from_limburg_average(area_data):
    view = View(level="gemeente", area="parkstad", indicator="percentage_personen_65_jaar_en_ouder", ref="limburg")
    choropleth = build_choropleth(area_data, view)
    limburg = area_data.region_aggregate("limburg", view.indicator).value
    heerlen = area_data.row("GM0917")[view.indicator]
    assert choropleth.diverging
    assert choropleth.shown["GM0917"] == pytest.approx(heerlen - limburg)


def test_ranking_orders_by_value_and_keeps_missing_last(area_data):
    table = explorer.ranking(area_data, View(level="wijk", area="all", indicator="aantal_inwoners"))
    assert len(table) == 99 and table["value"].is_monotonic_decreasing
    assert table["rank"].iloc[0] == 1


def test_reference_rows_report_coverage(area_data):
    rows = explorer.reference_rows(area_data, View(level="wijk", area="parkstad",
                                                   indicator="percentage_personen_65_jaar_en_ouder"))
    assert set(rows["kind"]) == {"gemeente", "parkstad", "limburg", "nederland"}
    assert (rows["kind"] == "gemeente").sum() == 7
    limburg = rows.set_index("kind").loc["limburg"]
    assert (limburg["covered"], limburg["members"]) == (31, 31)
    country = rows.set_index("kind").loc["nederland"]  # no national figures in this cache: said, not computed
    assert pd.isna(country["value"]) and country["why"].startswith("Niet in de geladen gegevens (CBS Kerncijfers")


def test_profile_compares_with_municipality_and_regions(area_data):
    rows = {r.indicator_id: r for r in explorer.profile(area_data, "WK092801")}
    inhabitants = rows["aantal_inwoners"]
    assert inhabitants.value == area_data.row("WK092801")["aantal_inwoners"]
    assert inhabitants.gemeente == area_data.row("GM0928")["aantal_inwoners"]
    assert rows["percentage_personen_65_jaar_en_ouder"].regions["limburg"] == pytest.approx(
        area_data.region_aggregate("limburg", "percentage_personen_65_jaar_en_ouder").value)
    assert explorer.profile(area_data, "BU00000000") == []


@pytest.mark.parametrize(
    ("clicked", "expected"),
    [({"type": "Feature", "properties": {"code": "WK092801", "tip": "x"}}, "WK092801"),
     ({"code": "WK092801"}, "WK092801"), ({"properties": {"code": "WK999999"}}, None),
     ({"properties": {}}, None), (None, None), ("WK092801", None), ({"properties": {"code": 5}}, None)],
)
def test_map_click_selects_only_known_areas(clicked, expected):
    assert explorer.select_from_click(clicked, {"WK092801", "WK092800"}) == expected


# --- what the map carries --------------------------------------------------------------------


def test_tooltip_escapes_data():
    tip = tooltip_html('<img src=x onerror="alert(1)">', ["<script>alert(2)</script>", "a & b"])
    assert "<img" not in tip and "<script>" not in tip
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in tip and "a &amp; b" in tip


def test_choropleth_features_carry_code_colour_and_tooltip(area_data):
    view = View(level="wijk", area="parkstad", indicator="percentage_personen_65_jaar_en_ouder", lang="en")
    choropleth = build_choropleth(area_data, view)
    assert len(choropleth.properties) == 49
    props = choropleth.properties["WK092801"]
    assert set(props) == {"code", "fill", "tip"}
    assert "Aged 65 and over: 29 %" in props["tip"] and "Source: CBS, Kadaster/PDOK, 2024" in props["tip"]
    legend = legend_rows(choropleth, "en")
    assert sum(r["count"] for r in legend) == 49
    # CBS gives these shares in whole percents: classes are whole and do not overlap ("24", "25–26", ...)
    ranges = [[int(x) for x in r["label"].split("–")] for r in legend if not r["missing"]]
    assert all(later[0] > earlier[-1] for earlier, later in zip(ranges, ranges[1:], strict=False))


def test_missing_values_are_said_in_tooltip_and_legend(area_data):
    view = View(level="buurt", area="kerkrade-oost", indicator="aantal_inwoners")
    choropleth = build_choropleth(area_data, view)  # the snapshot has no buurt figures in 2024, only wijk ones
    why = "Op dit niveau niet in de gegevens van 2024; wel per wijk."
    assert all(why in p["tip"] for p in choropleth.properties.values())  # not blamed on CBS's privacy rules
    assert all("afgeschermd" not in p["tip"] for p in choropleth.properties.values())
    assert all(p["fill"] == MISSING_COLOUR for p in choropleth.properties.values())
    assert legend_rows(choropleth, "nl") == [
        {"colour": MISSING_COLOUR, "label": "geen cijfer (zie toelichting)", "count": 6, "missing": True}]
    assert explorer.missing_summary(choropleth.missing, "nl") == [(why, 6)]


def test_prepared_geometry_keeps_shared_borders_and_is_small(area_data):
    prepared = prepare_geometry(area_data, "gemeente", "limburg")
    simplified = [shapely.from_geojson(json.dumps(g)) for g in prepared.geometries]
    assert len(simplified) == 31 and all(g.is_valid for g in simplified)
    # still a coverage: neighbours share borders, no overlaps
    assert shapely.coverage_is_valid(np.array(simplified, dtype=object))
    naive = payload_bytes(json.loads(area_data.layers["gemeenten"].to_json()))
    ours = payload_bytes(prepared.collection({c: {"code": c} for c in prepared.codes}))
    assert ours * 5 <= naive


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("k", [3, 5, 7])
def test_quantiles_and_equal_intervals_match_mapclassify(seed, k):
    """The classes are computed without importing mapclassify (a second on a cold start), but must be its."""
    import mapclassify

    from geo.maps.classify import equal_interval_bins, quantile_bins

    rng = np.random.default_rng(seed)
    samples = [rng.normal(50, 20, 300), rng.integers(0, 8, 300).astype(float), rng.exponential(3, 40)]
    values = samples[seed % 3]  # smooth, heavily tied, skewed
    assert np.allclose(quantile_bins(values, k), mapclassify.Quantiles(values, k=k).bins)
    assert np.allclose(equal_interval_bins(values, k), mapclassify.EqualInterval(values, k=k).bins)


@pytest.mark.parametrize(("text", "shown"), [
    ("no data cache in /srv/app/data/cache: run `python -m geo sync`", "no data cache in de lokale gegevens: run"),
    ("/home/x/wijkenbuurten_2024.gpkg is not a readable GeoPackage", "de lokale gegevens is not a readable"),
    ("cannot read (C:\\data\\x.csv)", "cannot read (de lokale gegevens)"),
])
def test_server_paths_become_words(text, shown):
    from geo.i18n import without_paths

    assert without_paths(text).startswith(shown)


def test_urls_and_relative_hints_stay():
    from geo.i18n import without_paths

    text = "gave up on https://api.pdok.nl/cbs/x/items; try --source ../shared/pdok-snapshot"
    assert without_paths(text) == text


def test_whole_number_legends_have_whole_non_overlapping_classes():
    from geo.maps.choropleth import class_legend

    classes = classify(pd.Series([1, 1, 2, 2, 3, 4, 4, 5, 7, 8, None]), "quantiles", 5)
    rows = class_legend(classes, 0, "nl")
    assert [r["label"] for r in rows[:-1]] == ["1", "2", "3–4", "5", "6–8"]
    assert sum(r["count"] for r in rows) == 11
    fractions = class_legend(classify(pd.Series([1.5, 2.5, 3.7]), "quantiles", 3), 1, "nl")
    assert fractions[0]["label"] == "1,5 – 2,2"  # measured values keep their shared bounds


def test_a_secret_figure_calls_the_area_small_only_when_it_is():
    from geo.maps.missing import SMALL_AREA, Missing

    small = Missing("suppressed", 2024, "percentage_huishoudens_met_laag_inkomen", sentinel=-99997, inhabitants=85)
    large = Missing("suppressed", 2024, "percentage_huishoudens_met_laag_inkomen", sentinel=-99997, inhabitants=4015)
    unknown = Missing("suppressed", 2024, "percentage_huishoudens_met_laag_inkomen", sentinel=-99997)
    assert "minder dan 200 inwoners" in small.text("nl") and small.inhabitants < SMALL_AREA
    for reason in (large, unknown):  # an area of 4,000 people is not "too small"
        assert "klein" not in reason.text("nl") + reason.text("de") and "small" not in reason.text("en")
