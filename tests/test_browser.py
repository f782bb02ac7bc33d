"""End to end in headless Chromium against `streamlit run app.py` on a cache synced from the snapshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, StreamlitServer, map_frame, npm_assets, route_cdn

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(synced_dir, directory)
    with StreamlitServer({"PARKSTAD_DATA_DIR": str(directory), "PDOK_API_URL": "http://127.0.0.1:9"}) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium", pytrace=False)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    assets = npm_assets()
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    route_cdn(page, assets)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not [e for e in errors if "leaflet" in e.lower()], errors


def open_page(page, server, path: str):
    page.goto(server.url + path)
    page.get_by_test_id("stSidebarNav").wait_for(timeout=30_000)
    return page


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


def test_deep_link_reproduces_its_view(server, page):
    open_page(page, server, "/?level=buurt&area=kerkrade-oost&indicator=aantal_inwoners")
    frame, state = map_frame(page)
    assert sorted(state["codes"]) == [f"BU092801{n:02d}" for n in range(6)]
    assert page.get_by_role("combobox", name="Niveau", exact=True).input_value() == "Buurten"
    assert page.get_by_role("combobox", name="Gebied", exact=True).input_value() == "Aandachtsgebied Kerkrade-Oost"
    assert "level=buurt" in page.url and "area=kerkrade-oost" in page.url
    assert page.get_by_text("geen gegevens / door CBS afgeschermd").first.is_visible()
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
    frame, state = map_frame(page)
    box = frame.frame_element().bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = frame.locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=10_000)
    text = tooltip.inner_text()
    assert "Inhabitants:" in text and "Source: CBS, Kadaster/PDOK, 2024" in text
