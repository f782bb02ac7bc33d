"""Pages over time in AppTest: the explorer's year and change, trend charts in profiles, and /monitor."""

from __future__ import annotations

import pytest

from tests.test_app import choropleth_features, run, run_page, widget

PROBLEMS_NL = ["Leegstand", "Leefbaarheid", "Gebruik van sociale voorzieningen", "Afstand tot de arbeidsmarkt",
               "Veiligheid", "Gezondheid", "Voorzieningen", "Schulden", "Opgroeien in armoede"]


def charts(at) -> list:
    return at.get("vega_lite_chart")


def test_explorer_year_and_change_are_in_the_url(app_env):
    at = run(level="gemeente", area="parkstad", indicator="aantal_inwoners", change="2022")
    assert at.query_params["year"] == "2024" and at.query_params["change"] == "2022"
    assert widget(at, "Datajaar").value == 2024 and widget(at, "Verandering sinds").value == 2022
    legend = at.get("html")[0].proto.body
    assert "Verandering 2022–2024" in legend
    tips = {f["properties"]["code"]: f["properties"]["tip"] for f in choropleth_features(at)}
    assert "Verandering sinds 2022: +" in tips["GM0917"]
    ranking = at.dataframe[0].value
    assert "Verandering 2022–2024" in ranking.columns


def test_explorer_can_go_back_a_year_and_drop_the_change(app_env):
    at = run(level="gemeente", area="parkstad", indicator="aantal_inwoners", change="2022")
    widget(at, "Verandering sinds").select(0).run()
    assert "change" not in at.query_params
    widget(at, "Datajaar").select(2022).run()
    assert at.query_params["year"] == "2022"
    assert "Datajaar 2022" in " ".join(c.value for c in at.caption)
    assert widget(at, "Verandering sinds").options == ["Geen (alleen dit jaar)"]  # nothing before 2022


def test_explorer_profile_has_a_trend_chart_with_source(app_env):
    at = run(level="gemeente", area="parkstad", indicator="misdrijven_per_1000_inwoners", sel="GM0928")
    assert charts(at), "no trend chart in the profile"
    captions = " ".join(c.value for c in at.caption)
    assert "Datajaren 2022–2024" in captions and "Politie/CBS 47018NED" in captions
    assert "gaten, geen nullen" in captions
    assert widget(at, "Ontwikkeling van").value == "misdrijven_per_1000_inwoners"


def test_buurt_profile_trend_says_where_the_boundary_changed(app_env):
    at = run_page("app_pages/buurt.py", buurt="BU09171000")
    assert charts(at)
    assert "Grens of code gewijzigd in 2023" in " ".join(c.value for c in at.caption)


def test_monitor_default_is_parkstad_with_every_problem(app_env):
    at = run_page("app_pages/monitor.py")
    assert at.title[0].value == "Haalt Parkstad Limburg het gemiddelde van Limburg in?"
    assert at.query_params["area"] == "parkstad"
    table = at.dataframe[0].value
    assert list(table["Probleem"]) == PROBLEMS_NL
    safety = table.set_index("Probleem").loc["Veiligheid"]
    assert safety["Laatste waarde"] == "60,0" and safety["Jaar"] == "2024"
    assert safety["Sinds eerste jaar"].startswith("verschil kleiner (2022–2024)")
    assert safety["Bron"].startswith("Politie/CBS 47018NED, 2024")
    leefbaarheid = table.set_index("Probleem").loc["Leefbaarheid"]
    assert leefbaarheid["Indicator"] == "geen open cijfer geladen" and "Leefbaarometer" in leefbaarheid["Toelichting"]
    schulden = table.set_index("Probleem").loc["Schulden"]
    assert "(benadering)" in schulden["Indicator"]
    # benefits exist only for Heerlen: the Parkstad aggregate is shown with its coverage, not compared
    social = table.set_index("Probleem").loc["Gebruik van sociale voorzieningen"]
    assert social["Dekking"] == "1 van 7" and "Niet vergeleken" in social["Toelichting"]
    assert social["Sinds eerste jaar"] == "geen gegevens"
    assert charts(at)  # small multiples per problem
    assert at.get("download_button")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_monitor_in_other_languages(app_env, lang):
    at = run_page("app_pages/monitor.py", lang=lang, area="kerkrade-oost")
    title = at.title[0].value
    assert "Kerkrade-Oost" in title and title != "Haalt Kerkrade-Oost het gemiddelde van Limburg in?"
    assert len(at.dataframe[0].value) == 9


def test_monitor_unknown_area_falls_back_with_a_notice(app_env):
    at = run_page("app_pages/monitor.py", area="<b>x</b>")
    assert at.query_params["area"] == "parkstad"
    assert any("\\<b\\>x\\</b\\>" in w.value for w in at.warning)  # shown literally, not as markup


def test_monitor_lists_initiatives_per_problem(app_env):
    at = run_page("app_pages/monitor.py", area="kerkrade-oost")
    text = " ".join(m.value for m in at.markdown)
    assert "**Leegstand** (" in text and "Rolduckerveld" in text  # a housing initiative in Kerkrade-Oost
