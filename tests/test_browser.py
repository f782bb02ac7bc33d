"""End to end in headless Chromium against `streamlit run app.py` on a cache synced from the snapshot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import (
    app_with_hostile_initiative,
    block_outside_requests,
    change_indicator_keeps_map,
    checked_page,
    map_frame,
    open_page,
    pdf_screenshot,
    third_party,
    tooltip_at_map_centre,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    with app_with_hostile_initiative(synced_dir, tmp_path_factory.mktemp("browser")) as running:
        yield running


def assert_no_exception(page):
    assert page.get_by_test_id("stException").count() == 0


def test_deep_link_to_areas_page_as_first_request_keeps_navigation(server, page):
    # the very first request after start goes to /gebieden: navigation and language must be there
    open_page(page, server, "/gebieden?lang=de")
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Schwerpunktgebiete" in nav and "Kartenansicht" in nav
    page.get_by_role("heading", name="Die acht Schwerpunktgebiete").wait_for()
    frame, state = map_frame(page)
    assert state["filled"] == 8  # the eight areas
    assert "CBS, Kadaster/PDOK" in state["attribution"]
    assert page.get_by_text("Auf der Karte öffnen").count() == 8
    assert_no_exception(page)


def test_explorer_draws_map_legend_and_table(server, page):
    open_page(page, server, "/")
    page.get_by_role("heading", name="Kaartverkenner").wait_for()
    frame, state = map_frame(page)
    assert state["filled"] == 49 and state["colours"] >= 3  # Parkstad's wijken in several classes
    assert "CBS, Kadaster/PDOK" in state["attribution"]
    assert page.get_by_text("Legenda").first.is_visible()
    assert page.get_by_test_id("stDataFrame").count() >= 2  # ranking and reference rows
    assert_no_exception(page)


def test_maps_draw_from_the_app_alone_and_say_when_the_basemap_is_missing(server, browser):
    """Every outside request is aborted: the map libraries must come from the app, and the only outside
    host asked is PDOK (tiles), whose absence the map states."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    asked = block_outside_requests(page)
    served: list[str] = []
    page.on("response", lambda r: served.append(r.url) if "/app/static/vendor/" in r.url and r.ok else None)
    open_page(page, server, "/?lang=de")
    frame, state = map_frame(page)
    assert state["filled"] == 49
    frame.locator(".basemap-missing").wait_for(timeout=20_000)
    assert frame.locator(".basemap-missing").inner_text() == "Hintergrundkarte nicht verfügbar"
    assert any(u.endswith("vendor/leaflet/leaflet.js") for u in served), served
    assert any(u.startswith("https://service.pdok.nl/") for u in asked)  # it did try PDOK's tiles
    assert third_party(asked) == []
    context.close()


def test_changing_the_indicator_swaps_the_layer_and_keeps_the_zoom(server, page):
    open_page(page, server, "/?level=wijk&area=parkstad&indicator=aantal_inwoners")
    frame, _ = map_frame(page)
    before, after, _seconds = change_indicator_keeps_map(page, frame, "65 jaar en ouder")
    assert after["probe"] == "kept"  # the same map object: not rebuilt
    assert after["zoom"] == before["zoom"]
    assert "indicator=percentage_personen_65_jaar_en_ouder" in page.url
    assert_no_exception(page)


def test_the_map_stays_when_a_notice_above_it_goes(server, page):
    # buurt inhabitants have no figures (a notice above the map); the benefit share has (no notice)
    open_page(page, server, "/?level=buurt&area=all&indicator=aantal_inwoners")
    frame, _ = map_frame(page)
    before, after, _seconds = change_indicator_keeps_map(page, frame, "Bijstand (% van inwoners 15+)")
    assert after["probe"] == "kept" and after["zoom"] == before["zoom"]
    assert_no_exception(page)


def test_deep_link_reproduces_its_view(server, page):
    open_page(page, server, "/?level=buurt&area=kerkrade-oost&indicator=aantal_inwoners")
    frame, state = map_frame(page)
    assert sorted(state["codes"]) == [f"BU092801{n:02d}" for n in range(6)]
    assert page.get_by_role("combobox", name="Niveau", exact=True).input_value() == "Buurten"
    assert page.get_by_role("combobox", name="Gebied", exact=True).input_value() == "Aandachtsgebied Kerkrade-Oost"
    assert "level=buurt" in page.url and "area=kerkrade-oost" in page.url
    assert page.get_by_text("geen cijfer (zie toelichting)").first.is_visible()
    assert page.get_by_text("Op dit niveau niet in de gegevens van 2024; wel per wijk. (6 gebieden)").first.is_visible()
    assert_no_exception(page)


def test_language_switch(server, page):
    open_page(page, server, "/over")
    page.get_by_role("heading", name="Data en bronnen").first.wait_for()
    page.get_by_role("combobox", name="Taal", exact=True).click()
    page.get_by_role("option", name="English").click()
    page.get_by_role("heading", name="Data and sources").first.wait_for()
    assert "lang=en" in page.url
    assert "Map explorer" in page.get_by_test_id("stSidebarNav").inner_text()
    assert_no_exception(page)


def test_tooltip_shows_escaped_value_with_source(server, page):
    open_page(page, server, "/?level=gemeente&area=parkstad&indicator=aantal_inwoners&lang=en")
    _, tooltip = tooltip_at_map_centre(page)
    text = tooltip.inner_text()
    assert "Inhabitants:" in text and "Source: CBS, Kadaster/PDOK, 2024" in text


def test_initiatives_page_filters_map_and_hostile_text(server, page):
    open_page(page, server, "/initiatieven?theme=wonen")
    page.get_by_role("heading", name="Initiatieven in de gebieden").wait_for()
    frame, state = map_frame(page)
    assert state["filled"] == 13  # municipalities coloured by number of initiatives
    assert state["markers"] == 10  # 12 housing initiatives, two of them region-wide and not pinned
    page.get_by_text("2 regiobrede initiatieven").wait_for(timeout=30_000)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "12"
    assert "theme=wonen" in page.url
    # the hostile initiative: listed, pinned, and its text never runs
    open_page(page, server, "/initiatieven?q=alert")
    frame, state = map_frame(page)
    assert state["markers"] == 1
    page.wait_for_timeout(1500)  # give any injected script the chance to fire (the fixture checks dialogs)
    assert_no_exception(page)


def test_explorer_overlay_of_initiatives(server, page):
    open_page(page, server, "/?level=wijk&area=GM0928&init=1")
    frame, state = map_frame(page)
    assert state["filled"] == 3 and state["markers"] >= 5
    assert page.get_by_role("switch", name="Initiatieven tonen").is_checked()


def test_my_neighbourhood_by_name_when_locatieserver_is_unreachable(server, page):
    open_page(page, server, "/buurt")
    page.get_by_role("heading", name="Mijn buurt").wait_for()
    box = page.get_by_label("Adres, postcode of naam van uw buurt")
    box.fill("Bleijerheide")
    box.press("Enter")
    page.get_by_text("zoekt op naam van buurt, wijk of gemeente").wait_for(timeout=30_000)
    # one name, one buurt: its profile opens at once, and the list still shows what was found
    page.get_by_role("heading", name="Bleijerheide").wait_for(timeout=30_000)
    found = page.get_by_role("combobox", name="Gevonden").input_value()
    assert found == "Bleijerheide (buurt, Kerkrade-Oost, Kerkrade)"
    assert "buurt=BU09280105" in page.url
    assert page.get_by_text("geen buurtcijfer. Wijk Kerkrade-Oost: 17.835").first.is_visible()
    assert_no_exception(page)


def test_my_neighbourhood_deep_link_with_trend_and_map(server, page):
    open_page(page, server, "/buurt?buurt=BU09171000&lang=en")
    page.get_by_role("heading", name="Maria Gewanden").wait_for(timeout=30_000)
    # the quarterly benefit trend (below the per-figure trend charts, so wait for it)
    page.get_by_role("heading", name="Trend: social assistance as % of inhabitants aged 15+").wait_for(timeout=30_000)
    frame, state = map_frame(page)
    assert state["features"] >= 2  # the buurt and its neighbours (or the pick map)
    assert "CBS, Kadaster/PDOK" in state["attribution"]
    assert_no_exception(page)


def test_clicking_an_area_opens_its_profile(server, page):
    open_page(page, server, "/?level=gemeente&area=GM0917&indicator=percentage_personen_65_jaar_en_ouder")
    frame, state = map_frame(page)
    assert state["codes"] == ["GM0917"]
    box = frame.frame_element().bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # Heerlen fills the view
    page.wait_for_url("**sel=GM0917**", timeout=30_000)
    chooser = page.get_by_role("combobox", name="Kies een gebied", exact=True)
    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Kies een gebied\"]')]"
                           ".some(e => e.value === 'Heerlen (GM0917)')", timeout=30_000)
    assert chooser.input_value() == "Heerlen (GM0917)"
    assert_no_exception(page)


# --- first use: what a councillor and a resident see, in Dutch and German, with screenshots --------------

FIRST_USE = {
    "nl": {"definition": "Twee afzonderlijke CBS-buurten: Pottenberg",
           "no_figure": "geen buurtcijfer. Wijk Kerkrade-Oost: 17.835",
           "compared": "Een aantal is niet met een gemiddelde te vergelijken",
           "chart": "vergeleken met gemeente en regio", "map": "Kaart:",
           "scheme": "Kwantielen (gelijke aantallen)", "scheme_label": "Klassenindeling"},
    "de": {"definition": "Zwei getrennte CBS-Viertel: Pottenberg",
           "no_figure": "keine Zahl für diese Nachbarschaft. Bezirk Kerkrade-Oost: 17.835",
           "compared": "Eine Anzahl lässt sich nicht mit einem Durchschnitt vergleichen",
           "chart": "verglichen mit Gemeinde und Region", "map": "Karte:",
           "scheme": "Quantile (gleich viele Gebiete)", "scheme_label": "Klasseneinteilung"},
}


def boxes_overlap(a: dict, b: dict) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    """Where the first-use screenshots go: $PARKSTAD_SCREENSHOTS, else a temporary folder (named in the log)."""
    import os

    folder = Path(os.environ.get("PARKSTAD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_first_use_areas_page_in_the_pages_language(server, page, screenshots, lang):
    open_page(page, server, f"/gebieden?lang={lang}")
    page.get_by_text(FIRST_USE[lang]["definition"]).wait_for(timeout=30_000)
    text = page.inner_text("main")
    assert "Two separate CBS buurten" not in text and "(inwoners)" not in text and "(Einwohner)" not in text
    page.screenshot(path=str(screenshots / f"gebieden_{lang}.png"), full_page=True)
    assert_no_exception(page)


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_first_use_buurt_leads_with_no_buurt_figure(server, page, screenshots, lang):
    open_page(page, server, f"/buurt?buurt=BU09280105&lang={lang}")
    page.get_by_text(FIRST_USE[lang]["no_figure"]).first.wait_for(timeout=30_000)
    line = page.get_by_text("(Gebiedsgerichte aanpak Provincie Limburg").first.inner_text()
    assert line.count("Gebiedsgerichte aanpak Provincie Limburg") == 1  # each programme once
    page.get_by_text(FIRST_USE[lang]["chart"]).first.wait_for(timeout=30_000)  # the profile chart's title
    page.screenshot(path=str(screenshots / f"buurt_{lang}.png"), full_page=True)
    assert_no_exception(page)


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_first_use_explorer_keeps_the_comparison_and_the_map_reads_well(server, page, screenshots, lang):
    open_page(page, server, f"/?lang={lang}&level=gemeente&area=parkstad&indicator=misdrijven_totaal&ref=limburg")
    page.get_by_text(FIRST_USE[lang]["compared"]).wait_for(timeout=30_000)
    page.wait_for_url("**indicator=misdrijven_per_1000_inwoners**", timeout=30_000)
    assert "ref=limburg" in page.url  # the user's comparison stays
    frame, state = map_frame(page)
    attribution = frame.locator(".leaflet-control-attribution").bounding_box()
    scale = frame.locator(".leaflet-control-scale").bounding_box()
    assert FIRST_USE[lang]["map"] in frame.locator(".leaflet-control-attribution").inner_text()
    assert not boxes_overlap(attribution, scale), (attribution, scale)
    chosen = page.get_by_role("combobox", name=FIRST_USE[lang]["scheme_label"], exact=True)
    assert chosen.input_value() == FIRST_USE[lang]["scheme"]
    assert chosen.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "classification label cut off"
    page.screenshot(path=str(screenshots / f"explorer_{lang}.png"))
    assert_no_exception(page)


COMPARED_COLUMNS = ("Limburg", "Verschil", "Sinds eerste jaar")


def _cut_cells(page) -> list[str]:
    """Cells of the monitor table's comparison and direction columns whose content does not fit (cut off)."""
    return page.evaluate("""(names) => {
        const table = document.querySelector('table.monitor-table');
        const heads = [...table.querySelectorAll('thead th')].map(th => th.innerText.trim());
        const wanted = names.map(n => heads.indexOf(n));
        const cut = [];
        const main = document.querySelector('[data-testid="stMainBlockContainer"]') || document.documentElement;
        const limit = Math.min(main.getBoundingClientRect().right, document.documentElement.clientWidth);
        if (table.getBoundingClientRect().right > limit + 1) cut.push('table wider than the page');
        for (const row of table.querySelectorAll('tbody tr')) {
            const cells = row.querySelectorAll('th, td');
            for (const i of wanted) {
                const cell = cells[i];
                if (cell.scrollWidth > cell.clientWidth + 1) cut.push(heads[i] + ': ' + cell.innerText);
            }
        }
        return cut;
    }""", list(COMPARED_COLUMNS))


def test_monitor_table_is_whole_at_1400_px_and_on_a4(server, page, screenshots):
    open_page(page, server, "/monitor?area=kerkrade-oost")
    page.locator("table.monitor-table").wait_for(timeout=30_000)
    assert _cut_cells(page) == []
    assert "Op dit niveau niet in de gegevens van 2022; wel per gemeente." in page.inner_text("table.monitor-table")
    page.screenshot(path=str(screenshots / "monitor_1400.png"), full_page=True)
    # A4 landscape with 12 mm margins is about 1,030 CSS pixels wide: print media at that width
    page.set_viewport_size({"width": 1030, "height": 1400})
    page.emulate_media(media="print")
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    assert _cut_cells(page) == []
    page.screenshot(path=str(screenshots / "monitor_print_a4.png"), full_page=True)
    assert_no_exception(page)


def test_copy_link_copies_the_current_view(server, browser):
    with checked_page(browser, permissions=["clipboard-read", "clipboard-write"]) as page:
        open_page(page, server, "/?level=wijk&area=GM0928&sel=WK092801&indicator=aantal_inwoners")
        page.get_by_role("heading", name="Profiel").wait_for(timeout=30_000)
        page.get_by_role("button", name="Kopieer link").click()
        page.get_by_role("status").filter(has_text="Link gekopieerd").wait_for(timeout=10_000)
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied == page.url and "sel=WK092801" in copied and "indicator=aantal_inwoners" in copied


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_the_comparison_of_three_areas(server, page, screenshots, lang):
    open_page(page, server, f"/vergelijk?areas=kerkrade-oost,heerlen-noord,GM0917&lang={lang}")
    page.locator('[data-testid="stTable"]').first.wait_for(timeout=30_000)
    page.locator('[data-testid="stVegaLiteChart"] svg').first.wait_for(timeout=30_000)
    head = page.locator('[data-testid="stTable"] thead').first.inner_text()
    assert "Kerkrade-Oost" in head and "Heerlen-Noord" in head and "Limburg" in head
    page.screenshot(path=str(screenshots / f"compare_{lang}.png"), full_page=True)
    assert_no_exception(page)


@pytest.mark.parametrize(("path", "button", "name"), [
    ("/monitor?area=kerkrade-oost", "Rapport als PDF (A4)", "report_monitor"),
    ("/vergelijk?areas=kerkrade-oost,heerlen-noord,GM0917", "Vergelijking als PDF (A4)", "report_compare"),
])
def test_the_reports_download_and_draw(server, page, browser, screenshots, path, button, name):
    import numpy as np
    from PIL import Image

    open_page(page, server, path)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name=button).click()
    saved = screenshots / f"{name}.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename.endswith(".pdf")
    sheets = pdf_screenshot(browser, saved.read_bytes(), screenshots / f"{name}.png")
    assert sheets >= 2
    for sheet in range(1, sheets + 1):
        picture = screenshots / (f"{name}.png" if sheet == 1 else f"{name}-{sheet}.png")
        if sheet > 1:
            pdf_screenshot(browser, saved.read_bytes(), picture, sheet=sheet)
        ink = (np.asarray(Image.open(picture).convert("L")) < 128).mean()
        # every sheet drawn, with text and lines on white: a chart's colour once ran on under the table after it
        # (dark blue behind black text, 16 % of the sheet)
        assert 0.002 < ink < 0.1, (sheet, ink)
