"""The pages driven with Streamlit's AppTest: widgets, URL state, deep links, languages, first run."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import geopandas as gpd
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.config import REPO_ROOT
from geo.data import cache
from geo.i18n import LANGUAGES, t

APP = str(REPO_ROOT / "app.py")
APOLOGIES = tuple(t("error_apology", lang, reference="")[:25] for lang in LANGUAGES)


def problems(at: AppTest) -> list[str]:
    """What went wrong in a run: exceptions, and unexpected errors that app.py turned into the visitor's
    apology (the detail is in the log, which pytest shows with a failure)."""
    return [e.value for e in at.exception] + [e.value for e in at.error if e.value.startswith(APOLOGIES)]


def run(path: str | None = None, timeout: float = 120, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if path:
        at.switch_page(path)
        at.run()
    assert not problems(at), problems(at)
    return at


def run_page(path: str, **params) -> AppTest:
    """Open a page with exactly these query parameters (AppTest starts on the default page)."""
    at = run(path)
    at.query_params.clear()
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not problems(at), problems(at)
    return at


def record_downloads(monkeypatch) -> dict[str, bytes]:
    """What pages hand the browser to download, by file name (AppTest keeps no file names of its own)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    sent: dict[str, bytes] = {}
    store_file = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            sent[filename] = path_or_data
        return store_file(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return sent


def widget(at: AppTest, label: str):
    matches = [w for w in [*at.selectbox, *at.slider] if w.label == label]
    assert matches, f"no widget {label!r}"
    return matches[0]


def component_script(at: AppTest, index: int = 0) -> str:
    """What the streamlit-folium component runs: its base map script and the feature groups it swaps in."""
    args = json.loads(at.get("component_instance")[index].proto.json_args)
    return args["script"] + (args.get("feature_group") or "")


def feature_collections(at: AppTest) -> list[dict]:
    """The GeoJSON collections inside the streamlit-folium component."""
    script = component_script(at)
    decoder, out, start = json.JSONDecoder(), [], 0
    while (index := script.find("_add({", start)) != -1:  # folium: geo_json_<id>_add({...});
        obj, end = decoder.raw_decode(script, index + len("_add("))
        if obj.get("type") == "FeatureCollection":
            out.append(obj)
        start = end
    return out


class _TableReader(HTMLParser):
    """Rows of an HTML table: each cell's own text, and the text of its `.why` and `.source` notes apart (tests
    read what a visitor reads)."""

    NOTES = ("why", "source")

    def __init__(self):
        super().__init__()
        self.rows: list[list[dict[str, str]]] = []
        self._cell: dict[str, str] | None = None
        self._note: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = {"text": "", "why": "", "source": ""}
        elif tag == "span":
            kind = dict(attrs).get("class")
            self._note.append(kind if kind in self.NOTES else "")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append({k: v.strip() for k, v in self._cell.items()})
            self._cell = None
        elif tag == "span" and self._note:
            self._note.pop()

    def handle_data(self, data):
        if self._cell is not None:
            kind = next((k for k in reversed(self._note) if k), "text")
            self._cell[kind] += data


def legend_html(at: AppTest) -> str:
    """The map's legend (the page's other html is its chrome: style and the document's language)."""
    return next(h.proto.body for h in at.get("html") if 'class="legend"' in h.proto.body)


def html_table(at: AppTest, css_class: str = "monitor-table") -> pd.DataFrame:
    """The first st.html table with this class: one column per heading with the cell's text, and the notes of
    each cell in columns "<heading> (why)" (why a figure is empty) and "<heading> (source)"."""
    body = next(h.proto.body for h in at.get("html") if f'class="{css_class}"' in h.proto.body)
    reader = _TableReader()
    reader.feed(body)
    header, *rows = [r for r in reader.rows if r]
    names = [h["text"] for h in header]
    records = []
    for row in rows:
        record = {}
        for name, cell in zip(names, row, strict=True):
            record[name] = cell["text"]
            record[f"{name} (why)"], record[f"{name} (source)"] = cell["why"], cell["source"]
        records.append(record)
    return pd.DataFrame(records)


def choropleth_features(at: AppTest) -> list[dict]:
    return [f for fc in feature_collections(at) for f in fc["features"] if "code" in f["properties"]]


def test_explorer_default_view(app_env):
    at = run()
    assert at.title[0].value == "Kaartverkenner"
    assert dict(at.query_params) | {} == {"lang": "nl", "level": "wijk", "area": "parkstad",
                                          "indicator": "aantal_inwoners", "classes": "5", "scheme": "quantiles",
                                          "ref": "none", "init": "0", "year": "2024"}
    assert len(choropleth_features(at)) == 49  # Parkstad's wijken
    ranking = at.dataframe[0].value
    assert len(ranking) == 49
    legend = legend_html(at)
    assert "Legenda" in legend and "Inwoners" in legend and "(inwoners)" not in legend  # no unit repeating the label
    assert any("CBS, Kadaster/PDOK" in c.value for c in at.caption)


def test_deep_link_reproduces_the_view(app_env):
    at = run(level="buurt", area="kerkrade-oost", indicator="aantal_inwoners")
    assert widget(at, "Niveau").value == "buurt"
    assert widget(at, "Gebied").value == "kerkrade-oost"
    assert widget(at, "Indicator").value == "aantal_inwoners"
    codes = {f["properties"]["code"] for f in choropleth_features(at)}
    assert codes == {f"BU092801{n:02d}" for n in range(6)}
    assert len(at.dataframe[0].value) == 6
    # the snapshot has no buurt figures: said, not hidden
    assert any("geen cijfers" in i.value for i in at.info)


def test_unknown_query_values_fall_back_with_notice(app_env):
    at = run(level="straat", indicator="<b>nope</b>", classes="42")
    warnings = " ".join(w.value for w in at.warning)
    assert "straat" in warnings and "42" in warnings and "nope" in warnings
    assert widget(at, "Niveau").value == "wijk" and widget(at, "Aantal klassen").value == 5
    assert at.query_params["level"] == "wijk"


def test_changing_a_control_updates_the_url_and_map(app_env):
    at = run()
    widget(at, "Indicator").set_value("percentage_personen_65_jaar_en_ouder").run()
    assert at.query_params["indicator"] == "percentage_personen_65_jaar_en_ouder"
    widget(at, "Vergelijk met").set_value("limburg").run()
    assert at.query_params["ref"] == "limburg"
    fills = {f["properties"]["fill"] for f in choropleth_features(at)}
    assert len(fills) > 2
    assert "Verschil met Gemiddelde Limburg" in legend_html(at)
    assert "Verschil" in at.dataframe[0].value.columns


def test_reference_for_counts_uses_their_rate_or_is_refused_with_explanation(app_env):
    at = run(indicator="misdrijven_totaal", ref="limburg", level="gemeente")
    assert (at.query_params["indicator"], at.query_params["ref"]) == ("misdrijven_per_1000_inwoners", "limburg")
    assert any("gebruikt daarom Misdrijven per 1000 inwoners" in i.value for i in at.info)
    at = run(indicator="oppervlakte_totaal_in_ha", ref="limburg")  # a count without a rate
    assert at.query_params["ref"] == "none"
    assert any("niet bij aantallen" in i.value for i in at.info)


def test_profile_of_selected_area(app_env):
    at = run(level="wijk", area="GM0928", sel="WK092801")
    profile = at.dataframe[0].value
    assert "Kerkrade" in profile.columns and "Parkstad" in profile.columns
    assert profile.iloc[0]["Dit gebied"] == "17.835"


@pytest.mark.parametrize(("lang", "title", "level_label"), [("en", "Map explorer", "Level"),
                                                            ("de", "Kartenansicht", "Ebene")])
def test_languages_from_the_url(app_env, lang, title, level_label):
    at = run(lang=lang)
    assert at.title[0].value == title
    assert widget(at, level_label).value == "wijk"


def test_language_switch(app_env):
    at = run()
    widget(at, "Taal").set_value("en").run()
    assert at.query_params["lang"] == "en"
    assert at.title[0].value == "Map explorer"


def test_priority_areas_page(app_env):
    at = run("app_pages/gebieden.py", lang="en")
    assert at.title[0].value == "The eight priority areas"
    assert sorted(s.value for s in at.header) == sorted(["Kerkrade-Oost", "Heerlen-Noord", "Pottenberg en Nazareth",
                                                "Donderberg", "Geleen-Zuid", "Vallisveld",
                                                "Vastenavondkamp (Blerick)", "Reuver/Offenbeek"])
    text = " ".join(m.value for m in at.markdown)
    assert "area=kerkrade-oost" in text and "level=buurt" in text
    assert "Coarse\\: the area is a small part" in text  # Vallisveld said plainly (the colon kept literal)
    assert "17,835" in text  # Kerkrade-Oost inhabitants (from its wijk)


def test_about_page(app_env):
    at = run("app_pages/over.py")
    layers = at.dataframe[0].value
    assert dict(zip(layers["Laag"], layers["Objecten"], strict=True)) == {
        "gemeenten": 31, "wijken": 99, "buurten": 449, "provincie": 1}
    assert "CC BY 4.0" in " ".join(m.value for m in at.markdown)
    assert len(at.dataframe[1].value) >= 25  # indicator definitions
    problems = at.dataframe[2].value  # the nine Regio Deal problems, each with its indicators or its gap
    assert len(problems) == 9 and "Veiligheid" in set(problems["Probleem"])
    assert len(at.dataframe[3].value) == 8  # area definitions
    assert any("2022, 2023, 2024" in m.value for m in at.markdown)  # the data years


def test_hostile_names_are_escaped_on_the_map(app_env):
    manifest = cache.read_manifest(app_env)
    path = app_env / manifest["generation"] / "wijken.parquet"
    frame = gpd.read_parquet(path)
    frame.loc[frame["wijkcode"] == "WK092801", "wijknaam"] = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    frame.to_parquet(path)
    at = run(level="wijk", area="GM0928")
    script = json.loads(at.get("component_instance")[0].proto.json_args)["script"]
    assert "<script>alert" not in script and "<img src=x" not in script
    tips = [f["properties"]["tip"] for f in choropleth_features(at) if f["properties"]["code"] == "WK092801"]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;" in tips[0]
    # tables show it as the text it is
    assert '<img src=x onerror="alert(1)"><script>alert(2)</script>' in set(at.dataframe[0].value["Naam"])


def test_no_cache_and_no_pdok_explains_how_to_sync(clean_env):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not problems(at), problems(at)
    assert at.error[0].value == "Nog geen gegevens, en PDOK is niet bereikbaar"
    text = " ".join(m.value for m in at.markdown)
    assert "geo sync --source ../shared/pdok-snapshot" in text and "PDOK_API_URL" in text


def test_first_run_syncs_from_pdok_then_shows_the_map(pdok, tmp_path, monkeypatch):
    monkeypatch.setenv("PARKSTAD_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.setenv("PDOK_API_URL", pdok.url)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not problems(at), problems(at)
    assert at.title[0].value == "Kaartverkenner"
    assert cache.read_manifest(tmp_path / "fresh")["source"] == pdok.url
    assert len(choropleth_features(at)) == 49


def test_choosing_an_area_in_the_list_selects_it(app_env):
    at = run(level="wijk", area="GM0928")
    at.selectbox(key="ctl_sel").set_value("WK092801").run()
    assert at.query_params["sel"] == "WK092801"
    assert at.dataframe[0].value.iloc[0]["Dit gebied"] == "17.835"
    at.selectbox(key="ctl_sel").set_value(None).run()
    assert "sel" not in at.query_params


def test_the_selected_area_stays_through_indicator_year_class_and_comparison_changes(app_env, area_data):
    at = run(level="wijk", area="GM0928", sel="WK092801", indicator="aantal_inwoners")
    changes = [("ctl_indicator", "bevolkingsdichtheid_inwoners_per_km2"), ("ctl_year", area_data.years[0]),
               ("ctl_classes", 4), ("ctl_scheme", "equal_interval"), ("ctl_ref", "limburg")]
    for key, value in changes:
        (at.slider(key=key) if key == "ctl_classes" else at.selectbox(key=key)).set_value(value).run()
        assert not problems(at), problems(at)
        assert at.query_params["sel"] == "WK092801", key
        assert at.selectbox(key="ctl_sel").value == "WK092801", key  # the profile stays open
    assert not at.info or all("niet meer geselecteerd" not in i.value for i in at.info)


def test_the_selection_leaves_with_a_notice_when_the_new_level_does_not_hold_it(app_env, area_data):
    at = run(level="wijk", area="GM0928", sel="WK092801")
    at.selectbox(key="ctl_level").set_value("gemeente").run()
    assert "sel" not in at.query_params and at.selectbox(key="ctl_sel").value is None
    name = area_data.name_of("WK092801")
    said = [i.value.replace("\\", "") for i in at.info]  # as read, without Markdown escapes
    assert any(f"‘{name} (WK092801)’" in text and "niet meer geselecteerd" in text for text in said), said


def test_indicators_are_grouped_by_problem_and_found_by_it(app_env):
    at = run(level="gemeente", area="parkstad")
    labels = list(at.selectbox(key="ctl_indicator").options)  # as the visitor reads them
    groups = [label.split(" › ")[0] for label in labels]
    assert groups[0] == "Leegstand" and all(" › " in label for label in labels)
    assert all(groups.index(g) == i or groups[i - 1] == g for i, g in enumerate(groups))  # each group together
    poverty = [label for label in labels if "armoede" in label.lower()]  # what typing "armoede" leaves
    assert any("laag inkomen" in label for label in poverty) and any("laagste 40 %" in label for label in poverty)
    at.query_params["lang"] = "de"
    at.run()
    assert any(label.startswith("Aufwachsen in Armut › ") for label in at.selectbox(key="ctl_indicator").options)


def visible_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [str(frame.value.to_dict()) for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", ["app_pages/explorer.py", "app_pages/monitor.py", "app_pages/buurt.py",
                                  "app_pages/initiatieven.py", "app_pages/gebieden.py", "app_pages/over.py",
                                  "app_pages/toegankelijkheid.py", "app_pages/vergelijk.py"])
def test_no_page_shows_a_path_of_the_server(app_env, page):
    at = run_page(page, indicator="percentage_huishoudens_met_laag_inkomen", buurt="BU09171000")
    text = visible_text(at)
    assert str(app_env) not in text and "pytest-of-" not in text and "/tmp/" not in text
    if page.endswith("over.py"):
        assert "de lokale gegevens" in text  # where the figures came from, in words


def test_first_start_without_data_shows_no_server_paths(clean_env):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    text = visible_text(at)
    assert at.error and str(clean_env) not in text and "pytest-of-" not in text


def test_an_unexpected_error_is_an_apology_with_a_reference(caplog):
    """What app.py does with an error no page expected: a short apology in the page's language with a
    reference for the visitor, the traceback with the same reference in the server log."""

    def app():
        from app_pages.common import current_lang, run_page

        current_lang()  # as app.py does: the language from the URL

        class Broken:
            url_path = "kapot"

            def run(self):
                raise RuntimeError("boom in /srv/secret/path")

        run_page(Broken())

    at = AppTest.from_function(app)
    at.query_params["lang"] = "de"
    with caplog.at_level("ERROR", logger="parkstad.pages"):
        at.run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Entschuldigung, hier ist etwas schiefgelaufen") and "boom" not in message
    reference = message.rsplit(" ", 1)[-1].rstrip(".")
    assert len(reference) == 8
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert f"reference {reference}" in logged and "boom in /srv/secret/path" in caplog.text
