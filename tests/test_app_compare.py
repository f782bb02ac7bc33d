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


def test_the_initiatives_working_on_each_problem_stand_beside_the_figures(app_env):
    """Need beside action: per problem how many initiatives work on it in each area, the same count as /monitor,
    and a link to exactly those initiatives on /initiatieven where the list can be filtered on the area."""
    import re

    at = open_compare(areas=AREAS)
    assert any(h.value == "Initiatieven per probleem en gebied" for h in at.header)
    [counts] = [t.value for t in at.table if list(t.value.columns) == ["Kerkrade-Oost", "Heerlen-Noord", "Heerlen"]]
    assert len(counts) == 9
    for area, column in (("kerkrade-oost", "Kerkrade-Oost"), ("GM0917", "Heerlen")):
        monitor_page = run_page("app_pages/monitor.py", area=area)
        said = {m.group(1): int(m.group(2)) for m in (re.match(r"\*\*(.+?)\*\* \((\d+)\)", md.value)
                                                       for md in monitor_page.markdown) if m}
        assert said and {problem: int(counts.loc[problem, column]) for problem in said} == said, area
    assert counts["Kerkrade-Oost"].sum() > 0
    links = " ".join(md.value for md in at.markdown)
    assert "(./initiatieven?area=kerkrade-oost&lang=nl)" in links
    assert "(./initiatieven?gemeente=GM0917&lang=nl)" in links


def test_a_filtered_list_holds_exactly_the_initiatives_counted(area_data):
    from geo.data import domain
    from geo.initiatives import filters as filt
    from tests.test_report import seeded_initiatives

    items = seeded_initiatives(area_data)
    names = {"kerkrade-oost": "K", "GM0917": "H", "parkstad": "P", "WK091710": "W"}
    counts = filt.counts_per_problem(items, list(names), names, "nl")
    for row, problem in zip(counts, domain.problems().values(), strict=True):
        for area, name in names.items():
            filters = filt.filters_for(area, problem)
            if filters is None:  # a group or a wijk: the list has no such filter, the page links none
                assert area in ("parkstad", "WK091710")
                continue
            assert len(filt.apply(items, filters)) == row[name], (area, problem.problem_id)


def test_the_charts_are_also_a_table_with_the_same_figures(app_env, area_data):
    at = open_compare(areas=AREAS)
    [chart_table] = [e for e in at.expander if e.label == "De grafiek als tabel"]
    table = chart_table.table[0].value
    assert list(table.columns) == [str(year) for year in area_data.years]
    areas = AREAS.split(",")
    names = {"kerkrade-oost": "Kerkrade-Oost", "heerlen-noord": "Heerlen-Noord", "GM0917": "Heerlen"}
    points = comparison.chart_rows(comparison.compare(area_data, areas), names, "Limburg", "nl")
    assert points
    for point in points:  # every point of the charts, as the page writes it
        assert table.loc[(point["problem"], point["series"]), str(point["year"])] == point["text"], point
    assert (table == "–").any().any()  # a year without a figure says so
