"""Trends, the change view and the monitor rules on DERIVED earlier years (tests/derived_years.py): what real data
cannot show, a boundary change that breaks a line, a code that vanished, a crime table whose gap closes by
construction. The same rules on the REAL history (../shared/pdok-snapshot-years) are in tests/test_numbers.py."""

from __future__ import annotations

import numpy as np
import pytest

from geo.data import domain
from geo.initiatives import filters as filt
from geo.initiatives.schema import Initiative
from geo.maps import explorer
from geo.maps.choropleth import build_choropleth
from geo.maps.monitor import area_options, monitor
from geo.maps.trend import TrendPoint, UnknownArea, area_label, comparison, gap_over_time, series
from tests import derived_years as derived


@pytest.fixture(scope="module")
def area_data(derived_area_data):
    """This module's rules need the derived years (see the docstring)."""
    return derived_area_data


def points(*values, start=2022):
    return [TrendPoint(start + i, v, "test") for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("area", "reference", "direction", "standing"),
    [
        ((66, 63, 60), (45, 45, 45), "closing", "worse"),
        ((50, 55, 60), (45, 45, 45), "widening", "worse"),
        ((40, 42, 44), (45, 45, 45), "closing", "better"),  # below the average and moving to it
        ((50, None, 50), (45, 45, 45), "equal", "worse"),
        ((None, None, 50), (45, 45, 45), "no_data", "worse"),  # one common year: no direction
        ((None, None, None), (45, 45, 45), "no_data", "neutral"),
    ],
)
def test_gap_direction(area_data, area, reference, direction, standing):
    crimes = area_data.catalogue["misdrijven_per_1000_inwoners"]  # higher is worse
    gap = gap_over_time(points(*area), points(*reference), crimes)
    assert (gap.direction, gap.standing) == (direction, standing)


def test_gap_uses_the_latest_common_year(area_data):
    participation = area_data.catalogue["netto_arbeidsparticipatie"]  # higher is better
    gap = gap_over_time(points(60, 62, None), points(70, 70, 71), participation)
    assert (gap.latest_year, gap.value, gap.reference, gap.gap) == (2023, 62, 70, -8)
    assert gap.first_year == 2022 and gap.direction == "closing" and gap.standing == "worse"


def test_unknown_area_is_explained(area_data):
    with pytest.raises(UnknownArea, match="priority area"):
        series(area_data, "nowhere", "aantal_inwoners")


def test_comparison_has_area_gemeente_and_regions_with_segments(area_data):
    frame = comparison(area_data, "WK091710", "misdrijven_per_1000_inwoners", "nl", "Wijk 10")
    assert list(dict.fromkeys(frame["role"])) == ["area", "gemeente", "group", "province"]
    assert list(dict.fromkeys(frame["series"]))[2:] == ["Parkstad", "Limburg"]
    assert list(dict.fromkeys(frame["series"]))[:2] == ["Wijk 10", "Heerlen"]
    assert len(frame) == 4 * 3
    broken = comparison(area_data, derived.REDIVIDED, "bijstand_pct_kwartaal", "nl", "Buurt")
    own = broken[broken["role"] == "area"]
    assert own["segment"].nunique() == 2  # the line is broken at the 2023 boundary change


def test_change_view_maps_the_change_since_an_earlier_year(area_data):
    view, notices = explorer.parse_view({"level": "gemeente", "area": "parkstad", "indicator": "aantal_inwoners",
                                         "change": "2022"}, area_data)
    assert notices == [] and view.year == 2024 and view.change == 2022
    table = explorer.scope_table(area_data, view)
    heerlen = table.set_index("code").loc["GM0917"]
    assert heerlen["change"] == heerlen["value"] - round(heerlen["value"] * 0.98 ** 2)
    choropleth = build_choropleth(area_data, view)
    assert choropleth.diverging  # centred on 0
    assert "Verandering sinds 2022: +" in choropleth.properties["GM0917"]["tip"]


def test_change_of_the_gap_to_a_reference(area_data):
    view, _ = explorer.parse_view({"level": "gemeente", "area": "parkstad", "indicator": "misdrijven_per_1000_inwoners",
                                   "ref": "limburg", "change": "2022"}, area_data)
    table = explorer.scope_table(area_data, view).set_index("code")
    # Parkstad municipalities fell 6 per 1,000 while Limburg fell less: their gap narrowed (negative change)
    assert (table["change"] < 0).all()
    assert explorer.shown_column(table) == "change"


def test_change_view_says_where_the_boundary_changed(area_data):
    view, _ = explorer.parse_view({"level": "buurt", "area": "GM0917", "indicator": "bijstand_pct_kwartaal",
                                   "change": "2022"}, area_data)
    table = explorer.scope_table(area_data, view).set_index("code")
    assert table.at[derived.REDIVIDED, "changed"] and not table.at["BU09171001", "changed"]
    tip = build_choropleth(area_data, view).properties[derived.REDIVIDED]["tip"]
    assert "grens of code van dit gebied is sinds 2022 gewijzigd" in tip


def test_older_year_shows_that_years_figures(area_data):
    view, _ = explorer.parse_view({"level": "gemeente", "area": "limburg", "indicator": "aantal_inwoners",
                                   "year": "2022"}, area_data)
    table = explorer.scope_table(area_data, view).set_index("code")
    assert table.at["GM0917", "value"] == area_data.for_year(2022).row("GM0917")["aantal_inwoners"]
    assert "2022" in build_choropleth(area_data, view).properties["GM0917"]["tip"]


@pytest.mark.parametrize(("params", "param"), [({"year": "2019"}, "year"), ({"year": "x"}, "year"),
                                               ({"change": "2031"}, "change")])
def test_unknown_years_fall_back_with_a_notice(area_data, params, param):
    view, notices = explorer.parse_view(params, area_data)
    assert view.year == 2024 and view.change == 0
    assert [(n.param, n.reason) for n in notices] == [(param, "unknown")]
    if param == "year":
        assert notices[0].used == "2024"


def test_change_must_lie_before_the_year(area_data):
    view, notices = explorer.parse_view({"year": "2023", "change": "2024"}, area_data)
    assert view.change == 0 and notices[0].reason == "notice_change_before_year"
    assert "change" not in view.params() and view.params()["year"] == "2023"


def test_monitor_has_one_row_per_problem(area_data):
    rows = monitor(area_data, "parkstad")
    assert [r.problem.problem_id for r in rows] == list(domain.problems())
    by_id = {r.problem.problem_id: r for r in rows}
    safety = by_id["veiligheid"]
    assert safety.gap.latest_year == 2024 and safety.latest_source.startswith("Politie/CBS 47018NED, 2024")
    leefbaarheid = by_id["leefbaarheid"]  # the Leefbaarometer is in the catalogue, but not in this cache: why
    assert leefbaarheid.indicator.id == "lbm_score" and leefbaarheid.gap is None and leefbaarheid.problem.gap("en")
    assert leefbaarheid.why_empty.reason == "not_loaded"


def test_monitor_headline_is_a_rate_where_counts_cannot_compare(area_data):
    """A count has no Limburg 'average' to close on: the monitor prefers a comparable indicator."""
    safety = {r.problem.problem_id: r for r in monitor(area_data, "parkstad")}["veiligheid"]
    assert safety.indicator.id == "misdrijven_per_1000_inwoners"
    assert [round(p.value, 1) for p in safety.points] == [66.0, 63.0, 60.0]
    assert safety.gap.direction == "closing" and safety.gap.standing == "worse"
    assert safety.gap.value == pytest.approx(60.0, abs=0.05)
    assert np.isclose(safety.gap.gap, safety.gap.value - safety.gap.reference) and 45 < safety.gap.reference < 60


def test_monitor_area_options_and_initiatives(area_data):
    options = area_options(area_data)
    assert options[0] == "parkstad" and "kerkrade-oost" in options and "WK091710" in options
    item = Initiative(initiative_id="x", name="Veilige buurt", programme="p", area_id="kerkrade-oost",
                      gemeentecodes=["GM0928"], theme_ids=["veiligheid"], status="running", status_as_of=2024,
                      source_url="https://example.org")
    assert filt.in_area([item], "kerkrade-oost") == [item] and filt.in_area([item], "parkstad") == [item]
    assert filt.in_area([item], "GM0917") == [] and filt.in_area([item], "WK092801") == [item]
    problems = domain.problems()
    assert filt.for_problem([item], problems["veiligheid"]) == [item]
    assert filt.for_problem([item], problems["gezondheid"]) == []


def test_area_label_names_every_kind_of_area_the_same_way_on_monitor_and_comparison(area_data):
    wijk = area_data.name_of("WK091710")
    assert area_label(area_data, "parkstad", "de") == "Parkstad Limburg"
    assert area_label(area_data, "kerkrade-oost", "nl") == "Kerkrade-Oost"
    assert area_label(area_data, "GM0917", "nl") == area_label(area_data, "GM0917", "nl", with_code=True) == "Heerlen"
    assert area_label(area_data, "WK091710", "nl") == f"{wijk} (Heerlen)"
    assert area_label(area_data, "WK091710", "nl", with_code=True) == f"{wijk} (Heerlen, WK091710)"
    assert area_label(area_data, "BU09171000", "nl", with_code=True).endswith("(Heerlen, BU09171000)")
