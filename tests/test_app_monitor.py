"""Pages over time in AppTest: the explorer's year and change, trend charts in profiles, and /monitor."""

from __future__ import annotations

import pytest

from tests.test_app import choropleth_features, html_table, legend_html, run, run_page, widget

PROBLEMS_NL = ["Leegstand", "Leefbaarheid", "Gebruik van sociale voorzieningen", "Afstand tot de arbeidsmarkt",
               "Veiligheid", "Gezondheid", "Voorzieningen", "Schulden", "Opgroeien in armoede"]


def charts(at) -> list:
    return at.get("vega_lite_chart")


def test_explorer_year_and_change_are_in_the_url(app_env):
    at = run(level="gemeente", area="parkstad", indicator="aantal_inwoners", change="2022")
    assert at.query_params["year"] == "2024" and at.query_params["change"] == "2022"
    assert widget(at, "Datajaar").value == 2024 and widget(at, "Verandering sinds").value == 2022
    legend = legend_html(at)
    assert "Verandering 2022–2024" in legend
    tips = {f["properties"]["code"]: f["properties"]["tip"] for f in choropleth_features(at)}
    assert "Verandering sinds 2022: +" in tips["GM0917"]
    ranking = at.dataframe[0].value
    assert "Verandering 2022–2024" in ranking.columns


def test_explorer_can_go_back_a_year_and_drop_the_change(app_env):
    at = run(level="gemeente", area="parkstad", indicator="aantal_inwoners", change="2022")
    widget(at, "Verandering sinds").select(0).run()
    assert "change" not in at.query_params
    widget(at, "Datajaar").select(2020).run()
    assert at.query_params["year"] == "2020"
    assert "Datajaar 2020" in " ".join(c.value for c in at.caption)
    assert widget(at, "Verandering sinds").options == ["Geen (alleen dit jaar)", "2019"]  # nothing else before 2020


def test_explorer_profile_has_a_trend_chart_with_source(app_env):
    """Income in KWB data year N is income of N - 2: the chart's source says which years it describes."""
    at = run(level="gemeente", area="parkstad", indicator="gemiddeld_inkomen_per_inwoner", sel="GM0928")
    assert charts(at), "no trend chart in the profile"
    captions = " ".join(c.value for c in at.caption)
    assert "Datajaren 2019–2024" in captions and "Inkomen 2017–2022, CBS Kerncijfers wijken en buurten" in captions
    assert "gaten, geen nullen" in captions
    assert widget(at, "Ontwikkeling van").value == "gemiddeld_inkomen_per_inwoner"


def test_explorer_profile_of_a_figure_from_the_crime_table(derived_data_dir):
    """Crimes come from an annual StatLine table that the real multi-year snapshot does not hold: derived years."""
    at = run(level="gemeente", area="parkstad", indicator="misdrijven_per_1000_inwoners", sel="GM0928")
    captions = " ".join(c.value for c in at.caption)
    assert charts(at) and "Datajaren 2022–2024" in captions and "Politie/CBS 47018NED" in captions


def test_buurt_profile_trend_says_where_the_boundary_changed(derived_data_dir):
    """A re-divided buurt exists only in the derived years."""
    at = run_page("app_pages/buurt.py", buurt="BU09171000")
    assert charts(at)
    assert "Grens of code gewijzigd in 2023" in " ".join(c.value for c in at.caption)


def test_monitor_default_is_parkstad_with_every_problem(app_env):
    at = run_page("app_pages/monitor.py")
    assert at.title[0].value == "Haalt Parkstad Limburg het gemiddelde van Limburg in?"
    assert at.query_params["area"] == "parkstad"
    table = html_table(at).set_index("Probleem")
    assert list(table.index) == PROBLEMS_NL
    vacancy = table.loc["Leegstand"]  # real KWB 2022: Parkstad 5.1 % of dwellings against Limburg 4.7 %
    assert vacancy["Laatste waarde"] == "5,1 (7 van 7)" and vacancy["Jaar"] == "2022"
    assert vacancy["Limburg"] == "4,7" and vacancy["Verschil"] == "+0,4"
    assert vacancy["Indicator (source)"] == "CBS Kerncijfers wijken en buurten 2022 (PDOK)"
    debts = table.loc["Schulden"]  # income figures describe two years before the data year
    assert "(benadering)" in debts["Indicator"] and debts["Jaar"] == "2022 (inkomen 2020)"
    assert debts["Indicator (source)"].startswith("Inkomen 2020, CBS Kerncijfers wijken en buurten 2022")
    liveability = table.loc["Leefbaarheid"]  # in the catalogue, not in this cache: which source would have it
    assert liveability["Indicator"] == "Leefbaarometer: leefbaarheid (score)" and liveability["Laatste waarde"] == "–"
    assert liveability["Laatste waarde (why)"].startswith("Niet in de geladen gegevens (Leefbaarometer 3.0 (BZK)")
    assert "Nederland" not in table.columns  # no national figures in this cache: no empty column for them
    # every empty figure says why, in words; nothing reads None or nan
    for problem, row in table.iterrows():
        for column in ("Laatste waarde", "Limburg", "Verschil"):
            if row[column] == "–":
                assert row[f"{column} (why)"], f"{problem}: {column} is empty without a reason"
    text = " ".join(table.astype(str).to_numpy().ravel())
    assert "None" not in text and "nan" not in text
    assert charts(at)  # small multiples per problem
    assert at.get("download_button")


def test_monitor_of_kerkrade_oost_says_why_each_figure_is_missing(app_env):
    at = run_page("app_pages/monitor.py", area="kerkrade-oost")
    table = html_table(at).set_index("Probleem")
    vacancy = table.loc["Leegstand"]  # the loaded data has vacancy per gemeente only: say so, and link there
    assert vacancy["Laatste waarde"] == "–" and vacancy["Limburg"] == "4,7 (2022)"  # the province's figure stays
    assert vacancy["Laatste waarde (why)"].startswith("Op dit niveau niet in de gegevens van 2022; wel per gemeente.")
    assert "Bekijk per gemeente" in vacancy["Laatste waarde (why)"]
    safety = table.loc["Veiligheid"]  # no crime table in the loaded data: which source would have it
    assert safety["Laatste waarde (why)"].startswith("Niet in de geladen gegevens (Politie/CBS 47018NED")
    labour = table.loc["Afstand tot de arbeidsmarkt"]  # the wijk Kerkrade-Oost has it in 2022
    assert labour["Laatste waarde"] == "53 (1 van 1)" and labour["Limburg"] == "61"
    assert labour["Sinds eerste jaar"].startswith("Maar één jaar met cijfers")
    body = next(h.proto.body for h in at.get("html") if "monitor-table" in h.proto.body)
    assert 'href="./?lang=nl&amp;indicator=percentage_leegstand_woningen&amp;level=gemeente' in body


@pytest.mark.parametrize("lang", ["en", "de"])
def test_monitor_in_other_languages(app_env, lang):
    at = run_page("app_pages/monitor.py", lang=lang, area="kerkrade-oost")
    title = at.title[0].value
    assert "Kerkrade-Oost" in title and title != "Haalt Kerkrade-Oost het gemiddelde van Limburg in?"
    assert len(html_table(at)) == 9


def test_monitor_unknown_area_falls_back_with_a_notice(app_env):
    at = run_page("app_pages/monitor.py", area="<b>x</b>")
    assert at.query_params["area"] == "parkstad"
    assert any("\\<b\\>x\\</b\\>" in w.value for w in at.warning)  # shown literally, not as markup


def test_monitor_lists_initiatives_per_problem(app_env):
    at = run_page("app_pages/monitor.py", area="kerkrade-oost")
    text = " ".join(m.value for m in at.markdown)
    assert "**Leegstand** (" in text and "Rolduckerveld" in text  # a housing initiative in Kerkrade-Oost


def test_the_monitor_charts_are_also_a_table(app_env, area_data):
    from geo.i18n import number
    from geo.maps.monitor import monitor

    at = run_page("app_pages/monitor.py", area="GM0917")
    [chart_table] = [e for e in at.expander if e.label == "De grafiek als tabel"]
    table = chart_table.table[0].value
    assert list(table.columns) == [str(year) for year in area_data.years]
    for row in monitor(area_data, "GM0917"):
        for point in row.points:
            if point.value is not None and row.indicator is not None:
                cell = table.loc[(row.problem.label("nl"), "Heerlen"), str(point.year)]
                assert cell == number(point.value, row.indicator.decimals, "nl"), (row.problem.problem_id, point)
