"""Areas side by side (`/vergelijk`, issue 22): any level, one indicator per problem for all areas, the province as
measure, notices for what the link asks that cannot be shown, and links from the explorer, /monitor and /gebieden."""

from __future__ import annotations

import pytest

from geo.maps import comparison
from geo.maps.monitor import monitor, records
from tests.test_app import problems, run, run_page

AREAS = "kerkrade-oost,heerlen-noord,GM0917"


def open_compare(**params):
    return run_page("app_pages/vergelijk.py", **params)


def test_three_areas_of_different_levels_side_by_side(app_env, area_data):
    at = open_compare(areas=AREAS)
    assert at.title[0].value == "Gebieden vergelijken"
    assert at.multiselect(key="compare_areas").value == ["kerkrade-oost", "heerlen-noord", "GM0917"]
    frame = at.table[0].value
    assert list(frame.columns)[:4] == ["Indicator", "Kerkrade-Oost", "Heerlen-Noord", "Heerlen"]
    assert "Limburg" in frame.columns and len(frame) == 9  # the nine Regio Deal problems
    # the same numbers as /monitor for each area, where the monitor chose the same indicator
    for area, column in (("kerkrade-oost", "Kerkrade-Oost"), ("GM0917", "Heerlen")):
        for record in records(monitor(area_data, area), "nl", "Limburg"):
            compared = frame.loc[record["problem"]]
            if not compared["Indicator"].startswith(record["indicator"]):
                continue
            if record["latest"] is not None:
                assert compared[column].startswith(f"{record['latest_text']} ({record['year_text']})"), area
            else:  # an empty cell gives the monitor's reason
                assert compared[column] == f"– ({record['latest_why']})", (area, record["problem"])
    assert any("Verloop per probleem" in h.value for h in at.header)
    assert any(b.proto.label == "Vergelijking als PDF (A4)" for b in at.get("download_button"))


def test_a_problem_uses_one_indicator_for_all_areas(area_data):
    rows = comparison.compare(area_data, ["kerkrade-oost", "BU09171000", "parkstad"])
    for row in rows:
        if row.indicator is not None and row.cells:
            assert all(cell.points and len(cell.points) == len(area_data.years) for cell in row.cells.values())


@pytest.mark.parametrize(("given", "kept", "said"), [
    ("kerkrade-oost,nowhere,<b>x</b>", ["kerkrade-oost"], "is onbekend"),
    ("GM0917,GM0928,GM0882,GM0899,GM0965", ["GM0917", "GM0928", "GM0882", "GM0899"], "ten hoogste vier"),
])
def test_what_cannot_be_compared_is_said_not_dropped_silently(app_env, given, kept, said):
    at = open_compare(areas=given)
    assert not problems(at)
    assert at.multiselect(key="compare_areas").value == kept
    assert at.query_params["areas"] == ",".join(kept)
    assert any(said in w.value for w in [*at.warning, *at.info])
    assert "<b>" not in "".join(w.value for w in [*at.warning, *at.info])


def test_english_and_german(app_env):
    at = open_compare(areas=AREAS, lang="de")
    assert at.title[0].value == "Gebiete vergleichen" and "Indikator" in at.table[0].value.columns


def test_linked_from_explorer_monitor_and_areas(app_env):
    explorer = run(level="wijk", area="GM0928", sel="WK092801")
    assert any("./vergelijk?areas=WK092801%2CGM0928%2Cparkstad" in m.value for m in explorer.markdown)
    monitor_page = run_page("app_pages/monitor.py", area="kerkrade-oost")
    assert any("./vergelijk?areas=kerkrade-oost" in m.value for m in monitor_page.markdown)
    areas = run("app_pages/gebieden.py")
    assert any("./vergelijk?areas=kerkrade-oost%2CGM0928" in m.value for m in areas.markdown)
