"""My neighbourhood: Locatieserver client against a stand-in, name search, profile rules, and the page."""

from __future__ import annotations

import json

import pytest

from geo.data.pdok import SourceError
from geo.i18n import t
from geo.initiatives.schema import Reference, check_rows
from geo.residents import buurt_profile as bp
from geo.residents.locatieserver import Locatieserver, Location, parse_point
from geo.residents.name_search import NameIndex
from tests.conftest import FAST
from tests.initiatives.test_initiatives import seed_rows
from tests.pdok_server import Fault
from tests.test_app import run, run_page

# Addresses as the Locatieserver documents them (lookup shape). The points are real places in these buurten.
LOCATIONS = [
    {"id": "adr-bleijerheide", "type": "adres", "weergavenaam": "Pannesheiderstraat 10, 6462EB Kerkrade",
     "centroide_ll": "POINT(6.0790 50.8720)", "buurtcode": "BU09280105", "buurtnaam": "Bleijerheide",
     "wijkcode": "WK092801", "gemeentecode": "0928", "gemeentenaam": "Kerkrade", "postcode": "6462EB"},
    {"id": "pcd-6411", "type": "postcode", "weergavenaam": "6411 Heerlen",
     "centroide_ll": "POINT(5.9807 50.8882)", "gemeentecode": "0917", "gemeentenaam": "Heerlen"},
    {"id": "adr-utrecht", "type": "adres", "weergavenaam": "Domplein 1, 3512JC Utrecht",
     "centroide_ll": "POINT(5.1214 52.0907)", "buurtcode": "BU03440000", "gemeentecode": "0344",
     "gemeentenaam": "Utrecht"},
    {"id": "adr-nopoint", "type": "adres", "weergavenaam": "Kapotstraat 1, Nergens", "centroide_ll": "garbage"},
]


@pytest.fixture
def locatieserver(pdok):
    pdok.state.locations = LOCATIONS
    return pdok


# --- client -----------------------------------------------------------------------------------


def test_suggest_then_lookup(locatieserver):
    client = Locatieserver(locatieserver.url, FAST)
    suggestions = client.suggest("pannesheiderstraat 10")
    assert [(s.id, s.type) for s in suggestions] == [("adr-bleijerheide", "adres")]
    location = client.lookup("adr-bleijerheide")
    assert location == Location("Pannesheiderstraat 10, 6462EB Kerkrade", "adres", 6.079, 50.872,
                                "BU09280105", "GM0928")
    assert client.suggest("   ") == []


def test_lookup_problems_are_source_errors(locatieserver):
    client = Locatieserver(locatieserver.url, FAST)
    with pytest.raises(SourceError, match="no result"):
        client.lookup("adr-missing")
    with pytest.raises(SourceError, match="no point"):
        client.lookup("adr-nopoint")


@pytest.mark.parametrize("kind", ["503", "slow", "badjson"])
def test_service_failures_become_source_errors(locatieserver, kind):
    locatieserver.state.slow_seconds = 1.0
    locatieserver.state.faults.append(Fault("/locatieserver/", kind, times=-1))
    with pytest.raises(SourceError):
        Locatieserver(locatieserver.url, FAST).suggest("Kerkrade")


def test_points_from_wkt():
    assert parse_point("POINT(6.07 50.87)") == (6.07, 50.87)
    assert parse_point("point ( -1.5 2 )") == (-1.5, 2.0)
    assert parse_point("LINESTRING(1 2, 3 4)") is None and parse_point(None) is None


# --- from a place to a buurt ------------------------------------------------------------------


def test_resolve_prefers_the_locatieserver_buurt_and_checks_it(area_data):
    location = Location("x", "adres", 6.079, 50.872, "BU09280105", "GM0928")
    assert bp.resolve(area_data, location).buurtcode == "BU09280105"


def test_resolve_by_point_when_no_buurt_is_given(area_data):
    inside = area_data.layers["buurten"].set_index("buurtcode").geometry["BU09171000"].representative_point()
    resolved = bp.resolve(area_data, Location("6411 Heerlen", "postcode", inside.x, inside.y, None, "GM0917"))
    assert resolved.buurtcode == "BU09171000"


def test_outside_the_region_names_the_nearest_municipality(area_data):
    resolved = bp.resolve(area_data, Location("Domplein", "adres", 5.1214, 52.0907, "BU03440000", "GM0344"))
    assert resolved.buurtcode is None and resolved.nearest_gemeente == "GM0983"  # Venlo is nearest to Utrecht
    assert 90 < resolved.distance_km < 130


# --- name search ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def index(area_data):
    return NameIndex(area_data)


@pytest.mark.parametrize(
    ("query", "code"),
    [("Bleijerheide", "BU09280105"), ("bleyerheide", "BU09280105"), ("BLEIJERHEIDE", "BU09280105"),
     ("maria gewanden", "BU09171000"), ("mariagewanden", "BU09171000"), ("Nazaret", "BU09350403"),
     ("brunsum", "GM0899"), ("Kerkrade oost", "WK092801")],
)
def test_names_with_typos_accents_and_case(index, query, code):
    assert index.search(query)[0].code == code


def test_ambiguous_names_list_every_place_with_context(index):
    hits = [h for h in index.search("Centrum") if h.name == "Centrum"]
    assert len(hits) >= 3
    assert len({h.context for h in hits}) == len(hits)  # each says where it lies


def test_nonsense_finds_nothing(index):
    assert index.search("qqxxzz") == [] and index.search("a") == []


# --- profile ----------------------------------------------------------------------------------


def test_profile_falls_back_to_the_wijk_visibly(area_data):
    profile = bp.buurt_profile(area_data, "BU09280105")
    assert (profile.name, profile.gemeentenaam, profile.in_parkstad) == ("Bleijerheide", "Kerkrade", True)
    assert [a.area_id for a in profile.areas] == ["kerkrade-oost"]
    inhabitants = next(f for f in profile.figures if f.indicator_id == "aantal_inwoners")
    assert inhabitants.level == "wijk" and inhabitants.value == area_data.row("WK092801")["aantal_inwoners"]


def test_profile_uses_buurt_figures_where_there_are_any(area_data):
    profile = bp.buurt_profile(area_data, "BU09171000")
    benefits = next(f for f in profile.figures if f.indicator_id == "bijstand_pct_kwartaal")
    assert benefits.level == "buurt" and benefits.value == pytest.approx(100 * 170 / 3060)


def test_unknown_and_non_buurt_codes_have_no_profile(area_data):
    assert bp.buurt_profile(area_data, "BU00000000") is None
    assert bp.buurt_profile(area_data, "WK092801") is None


def test_benefit_trend_for_heerlen_only(area_data):
    level, series = bp.benefit_trend(area_data, "BU09171000")
    assert level == "buurt" and len(series) == 45
    assert bp.benefit_trend(area_data, "BU09280105") is None  # no series for Kerkrade offline


def test_neighbours_touch(area_data):
    around = bp.neighbours(area_data, "BU09280105")
    assert around and "BU09280105" not in around
    assert all(code.startswith("BU0928") or code.startswith("BU0882") for code in around)


def test_initiatives_in_and_around(area_data):
    assert bp.initiatives_near(area_data, [], "BU09280105") == []
    seeded = check_rows(seed_rows(), Reference.from_data(area_data)).initiatives
    nearby = bp.initiatives_near(area_data, seeded, "BU09280105")
    relations = [n.relation for n in nearby]
    assert relations[0] == "buurt" and nearby[0].initiative.initiative_id == "superlocal-bleijerheide"
    assert relations == sorted(relations, key=bp.RELATIONS.index)
    assert "gemeente" in relations
    for relation in set(relations):  # by name within each group
        names = [n.initiative.name.casefold() for n in nearby if n.relation == relation]
        assert names == sorted(names)


# --- the page ---------------------------------------------------------------------------------


@pytest.fixture
def page_env(data_dir, monkeypatch, locatieserver):
    monkeypatch.setenv("PDOK_API_URL", locatieserver.url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return locatieserver


def open_buurt(**params):
    return run_page("app_pages/buurt.py", **params)


def test_deep_link_opens_the_profile(page_env):
    at = open_buurt(buurt="BU09280105")
    assert at.header[0].value == "Bleijerheide"
    text = " ".join(m.value for m in at.markdown)
    # the wijk's figure is never read as the buurt's: "no buurt figure" first, then plainly the wijk's
    assert "**Inwoners**: geen buurtcijfer. Wijk Kerkrade-Oost\\: 17.835" in text
    assert "Inwoners (inwoners)" not in text
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    profile = next(c for c in charts if "vergeleken met gemeente en regio" in json.dumps(c.get("title")))
    assert profile["layer"][0]["encoding"]["x"]["title"] == "65 jaar en ouder (%)"  # an axis that says what it is
    programmes = next(m.value for m in at.markdown if "aandachtsgebied Kerkrade-Oost" in m.value)
    assert programmes.count("Gebiedsgerichte aanpak Provincie Limburg") == 1
    assert "SUPERLOCAL Bleijerheide" in text
    groups = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith(")")
              and m.value.split("** (")[0].strip("*") in {t(f"relation_group_{r}") for r in bp.RELATIONS}]
    assert groups[0].startswith("**In deze buurt** (") and len(groups) >= 2  # labelled, nearest first
    assert any("aandachtsgebied Kerkrade-Oost" in m.value for m in at.markdown)


def test_unknown_code_is_friendly(page_env):
    at = open_buurt(buurt="BU99999999")
    assert any("BU99999999" in w.value and "kennen we niet" in w.value for w in at.warning)
    assert not at.header


def test_address_search_through_the_locatieserver(page_env):
    at = open_buurt()
    at.text_input(key="buurt_query").input("Pannesheiderstraat 10").run()
    assert any("Locatieserver" in c.value for c in at.caption)
    choice = at.selectbox(key="choice_Pannesheiderstraat 10")
    assert choice.options[0] == "Pannesheiderstraat 10, 6462EB Kerkrade"
    choice.set_value("ls:adr-bleijerheide").run()
    assert at.query_params["buurt"] == "BU09280105"
    assert at.header[0].value == "Bleijerheide"


def test_outside_the_region_says_so(page_env):
    at = open_buurt()
    at.text_input(key="buurt_query").input("Domplein").run()
    at.selectbox(key="choice_Domplein").set_value("ls:adr-utrecht").run()
    assert any("buiten de 13 gemeenten" in w.value and "Venlo" in w.value for w in at.warning)


def test_name_search_when_the_locatieserver_is_down(page_env):
    page_env.state.faults.append(Fault("/locatieserver/", "503", times=-1))
    at = open_buurt()
    at.text_input(key="buurt_query").input("Maria Gewanden").run()
    assert any("niet bereikbaar" in c.value and "op naam" in c.value for c in at.caption)
    choice = at.selectbox(key="choice_Maria Gewanden")
    assert "Maria Gewanden (buurt, Maria Gewanden en Terschuren, Heerlen)" in choice.options
    choice.set_value("name:BU09171000").run()
    assert at.query_params["buurt"] == "BU09171000"
    assert any("Ontwikkeling" in s.value for s in at.subheader)


def test_offline_advice_fits_and_a_single_name_hit_opens_the_profile(page_env):
    page_env.state.faults.append(Fault("/locatieserver/", "503", times=-1))
    at = open_buurt()
    at.text_input(key="buurt_query").input("6461 AB").run()
    advice = " ".join(i.value for i in at.info)
    assert "niet bereikbaar" in advice and "Probeer een postcode" not in advice  # no advice it cannot follow
    at.text_input(key="buurt_query").input("Bleijerheide").run()  # one name, one buurt: straight to its profile
    assert at.query_params["buurt"] == "BU09280105" and at.header[0].value == "Bleijerheide"


def test_the_benefit_card_points_to_its_series_instead_of_saying_one_year(page_env, snapshot, tmp_path,
                                                                          monkeypatch):
    from tests.conftest import _synced

    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(_synced(snapshot, tmp_path / "one-year")))  # 2024 only
    at = open_buurt(buurt="BU09171000")
    said = " ".join(c.value for c in at.caption)
    assert "Het verloop per kwartaal staat hieronder" in said
    assert not any("Bijstand" in m.value and "één datajaar" in m.value for m in at.markdown)


def test_english_and_german(page_env):
    at = run("app_pages/buurt.py", lang="de")
    at.query_params["buurt"] = "BU09171000"
    at.run()
    assert at.title[0].value == "Meine Nachbarschaft"
    assert any("Gehört zu Parkstad Limburg" in m.value for m in at.markdown)
