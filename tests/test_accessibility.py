"""WCAG 2.1 AA in the browser (issue 20): axe-core on every page in NL and DE, and the checks axe cannot make:
language, titles, heading order, keyboard and focus on the map, tooltips, 320 px, forced colours, charts in the
page's language, print on A4. Known deviations come from data/accessibility.yaml, the same file the statement
page (/toegankelijkheid) shows."""

from __future__ import annotations

import io
import re

import pytest

from geo.accessibility import statement
from geo.config import REPO_ROOT
from geo.i18n import framework_texts
from geo.maps.line_styles import contrast
from tests.browser import (
    app_with_hostile_initiative,
    checked_page,
    map_frame,
    open_page,
    tooltip_at_map_centre,
    wait_until_settled,
)

pytestmark = pytest.mark.browser

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# every page, with its Dutch title and whether it draws a map
PAGES = {"/": ("Kaartverkenner", True), "/monitor": ("Monitor Regio Deal", False),
         "/buurt?buurt=BU09171000": ("Mijn buurt", True), "/initiatieven": ("Initiatieven", True),
         "/gebieden": ("Aandachtsgebieden", True), "/over": ("Data en bronnen", False),
         "/vergelijk?areas=kerkrade-oost,heerlen-noord,GM0917": ("Vergelijken", False),
         "/toegankelijkheid": ("Toegankelijkheid", False)}


@pytest.fixture(scope="module")
def server(synced_dir, tmp_path_factory):
    with app_with_hostile_initiative(synced_dir, tmp_path_factory.mktemp("a11y")) as running:
        yield running


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def open_whole(page, server, path: str, has_map: bool):
    """A page with its heading and, where it has one, its map drawn."""
    open_page(page, server, path)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=30_000)
    if has_map:
        map_frame(page)
    page.wait_for_timeout(1000)  # the run's last elements
    wait_until_settled(page)


# --- axe-core -----------------------------------------------------------------------------------------------

def axe_findings(page, server) -> list[tuple[str, str, str]]:
    """(rule, frame kind, first target) for every violation in the top document and each same-origin frame."""
    if not AXE.exists():
        pytest.fail(f"axe-core not installed at {AXE.relative_to(REPO_ROOT)}: run `npm ci` (as .ci/run does)",
                    pytrace=False)
    source = AXE.read_text(encoding="utf-8")
    findings = []
    for frame in page.frames:
        top = frame == page.main_frame
        if not top and not frame.url.startswith(server.url):
            continue  # about:blank or another origin: axe cannot see into it, nor can a visitor's tools
        frame.evaluate(source)
        violations = frame.evaluate("""async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false});
            return result.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')]);
        }""", AXE_TAGS)
        findings += [(rule, "top" if top else "map", target) for rule, target in violations]
    return findings


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_axe_finds_nothing_outside_the_known_deviations(server, page, lang):
    facts = statement()
    unexplained, explained = [], set()
    for path, (_, has_map) in PAGES.items():
        open_whole(page, server, with_lang(path, lang), has_map)
        for rule, frame, target in axe_findings(page, server):
            deviation = facts.deviation_for(rule, path.split("?")[0], frame)
            if deviation is None:
                unexplained.append(f"{path} [{frame}] {rule}: {target}")
            else:
                explained.add((deviation.id, rule))
    assert unexplained == []
    # a deviation whose rules axe no longer reports has outlived its cause: the statement must say so too
    stale = [(d.id, rule) for d in facts.deviations for rule in d.axe_rules if (d.id, rule) not in explained]
    assert stale == []


# --- what axe cannot judge -----------------------------------------------------------------------------------

PAGE_FACTS_JS = """
(english) => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const levels = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.offsetParent !== null && h.textContent.trim())
    .map(h => Number(h.tagName[1]));
  const sidebarHeadings = document.querySelectorAll('[data-testid="stSidebar"] h1, [data-testid="stSidebar"] h2, '
    + '[data-testid="stSidebar"] h3').length;
  const frames = [...document.querySelectorAll('iframe')].map(f => f.getAttribute('title'));
  const caption = document.querySelector('[data-testid="stCaptionContainer"] p, [data-testid="stCaptionContainer"]');
  const style = caption ? getComputedStyle(caption) : null;
  const statement = [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
    .some(a => new URL(a.href).pathname === '/toegankelijkheid');
  const names = [...document.querySelectorAll('[aria-label], [title]')]
    .flatMap(e => [e.getAttribute('aria-label'), e.getAttribute('title')])
    .concat([...document.querySelectorAll('[data-testid="stSkipToContent"]')].map(a => a.textContent));
  const untranslated = names.filter(n => n && english.some(e => e.endsWith(' ') ? n.startsWith(e) : n === e));
  const chartTexts = [...new Set([...document.querySelectorAll('.vega-embed svg text')]
    .filter(t => t.textContent.trim()).map(t => getComputedStyle(t).fill))];
  return {lang: document.documentElement.lang, title: document.title, levels, sidebarHeadings, frames, statement,
          untranslated: [...new Set(untranslated)], chartTexts,
          captionColour: style ? style.color : null, captionOpacity: style ? style.opacity : null};
}
"""


def contrast_on_white(rgb: str) -> float:
    """WCAG contrast of a CSS rgb() colour on white (geo.maps.line_styles.contrast)."""
    return contrast("#" + "".join(f"{int(v):02x}" for v in re.findall(r"\d+", rgb)[:3]))


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_every_page_has_its_title_language_heading_order_and_named_maps(server, page, lang):
    titles, charted = set(), []
    for path, (name, has_map) in PAGES.items():
        open_whole(page, server, with_lang(path, lang), has_map)
        if path.startswith(("/monitor", "/vergelijk")):  # charts are drawn after the run: wait for their texts
            page.locator(".vega-embed svg text").first.wait_for(timeout=30_000)
        facts = page.evaluate(PAGE_FACTS_JS, list(framework_texts(lang)))
        assert facts["lang"] == lang, (path, facts["lang"])
        assert facts["untranslated"] == [], (path, facts["untranslated"])  # Streamlit's English button names
        assert facts["title"].endswith("· Parkstad & Limburg") and facts["title"] not in titles, facts["title"]
        if lang == "nl":
            assert facts["title"].startswith(name), facts["title"]
        titles.add(facts["title"])
        levels = facts["levels"]
        assert levels and levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)  # no level skipped
        assert facts["sidebarHeadings"] == 0, path  # nothing in the sidebar comes before the page's h1
        assert facts["statement"], path  # the accessibility statement is linked from every page
        assert "streamlit_folium.st_folium" not in facts["frames"], (path, facts["frames"])
        if facts["captionColour"]:
            assert float(facts["captionOpacity"]) == 1.0
            ratio = contrast_on_white(facts["captionColour"])
            assert ratio >= 4.5, (path, facts["captionColour"], ratio)
        # a chart's axis, legend and facet labels are text too (axe does not look into the SVG)
        for colour in facts["chartTexts"]:
            assert contrast_on_white(colour) >= 4.5, (path, colour)
        charted += [path] if facts["chartTexts"] else []
    assert "/monitor" in charted and any(p.startswith("/vergelijk") for p in charted), charted


EXPLORER = "/?level=gemeente&area=parkstad&indicator=aantal_inwoners"


def test_a_tooltip_stays_under_the_pointer_and_escape_closes_it(server, page):
    open_page(page, server, EXPLORER)
    frame, tooltip = tooltip_at_map_centre(page)
    first = tooltip.inner_text()
    tip = tooltip.bounding_box()
    # move onto the tooltip itself (WCAG 1.4.13 hoverable): it stays, with the same text, and does not move away
    page.mouse.move(tip["x"] + tip["width"] / 2, tip["y"] + tip["height"] / 2, steps=12)
    page.wait_for_timeout(400)
    assert tooltip.count() == 1 and tooltip.is_visible() and tooltip.inner_text() == first
    assert tooltip.bounding_box() == tip
    page.keyboard.press("Escape")  # dismissible without moving the pointer
    page.wait_for_timeout(300)
    assert frame.locator(".leaflet-tooltip").count() == 0


def test_the_map_buttons_speak_the_pages_language(server, page):
    open_page(page, server, EXPLORER + "&lang=de")
    frame, _ = map_frame(page)
    assert frame.evaluate("() => document.documentElement.lang") == "de"
    assert frame.locator(".leaflet-container").get_attribute("aria-label").startswith("Karte")
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("aria-label") == "Vergrößern"
    assert frame.locator(".leaflet-control-zoom-out").get_attribute("title") == "Verkleinern"
    assert frame.locator(".leaflet-control-layers-toggle").get_attribute("aria-label") == "Kartenebenen"


def changed_pixels(before: bytes, after: bytes) -> int:
    import numpy as np
    from PIL import Image

    a, b = (np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=int) for shot in (before, after))
    return int((np.abs(a - b).max(axis=2) > 40).sum())


def test_tab_reaches_the_map_shows_a_focus_ring_and_leaves_it(server, page):
    open_page(page, server, EXPLORER)
    frame, _ = map_frame(page)
    element = frame.frame_element()
    before = element.screenshot()
    page.locator("body").focus()
    for _ in range(80):  # the sidebar's links and controls come first
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.tagName") == "IFRAME" and \
                frame.evaluate("() => document.activeElement.classList.contains('leaflet-container')"):
            break
    else:
        pytest.fail("Tab never reached the map")
    page.wait_for_timeout(200)
    # a ring of 3 px inside the frame's edge: thousands of pixels change, not the 8 seen before (WCAG 2.4.7)
    assert changed_pixels(before, element.screenshot()) > 4000
    for _ in range(30):  # through the map's own buttons and links, then out of it
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.tagName") != "IFRAME":
            break
    else:
        pytest.fail("Tab stayed in the map (a keyboard trap)")


def boxes_overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("path", [EXPLORER, "/initiatieven"])
def test_at_320_px_the_layer_list_leaves_the_zoom_buttons_free(server, browser, tmp_path, path):
    with checked_page(browser, viewport={"width": 320, "height": 720}, has_touch=True) as page:
        page.goto(server.url + path)  # the sidebar is folded away at this width
        frame, _ = map_frame(page)
        frame.frame_element().scroll_into_view_if_needed()
        zoom = frame.locator(".leaflet-control-zoom").bounding_box()
        layers = frame.locator(".leaflet-control-layers").bounding_box()
        assert not boxes_overlap(zoom, layers), (zoom, layers)
        page.screenshot(path=str(tmp_path / "map_320.png"))
        shown = "() => [...document.querySelectorAll('.leaflet-control-layers-overlays input')].map(i => i.checked)"
        layers_before = frame.evaluate(shown)
        zoom_before = frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
        frame.locator(".leaflet-control-zoom-in").tap()  # WCAG 1.4.10: "+" zooms, it does not switch a layer off
        page.wait_for_timeout(600)
        assert frame.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()") > zoom_before
        assert frame.evaluate(shown) == layers_before
        # the list is still there for whoever wants it: focus on its button opens it
        frame.locator(".leaflet-control-layers-toggle").focus()
        assert frame.locator(".leaflet-control-layers-list").is_visible()


def test_legend_swatches_keep_their_colours_in_forced_colours_mode(server, browser):
    with checked_page(browser, forced_colors="active") as page:
        open_page(page, server, EXPLORER)
        page.locator(".legend .swatch").first.wait_for(timeout=30_000)
        swatches = page.evaluate("""() => [...document.querySelectorAll('.legend .swatch')].map(s =>
            [s.style.backgroundColor, getComputedStyle(s).backgroundColor])""")
        assert len(swatches) >= 3
        assert all(inline == computed for inline, computed in swatches), swatches
        headers = page.locator(".legend th").all_inner_texts()
        assert headers == ["Kleur", "Klasse", "Gebieden"]  # WCAG 1.3.1: the legend's columns are named


@pytest.mark.parametrize(("lang", "decimal"), [("nl", ","), ("en", ".")])
def test_charts_write_numbers_as_the_pages_tables_do(server, page, lang, decimal):
    open_page(page, server, f"/buurt?buurt=BU09171000&lang={lang}")
    page.locator('[data-testid="stVegaLiteChart"] svg').last.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    labels = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
        .map(t => t.textContent)""")
    decimals = [text for text in labels if re.fullmatch(r"\d+[.,]\d", text)]  # axis labels such as 5,0
    assert decimals and all(decimal in text for text in decimals), decimals


def test_the_explorer_prints_on_a4_with_the_whole_ranking_and_no_sidebar(server, page, area_data):
    from geo.maps.explorer import View, ranking

    view = View(level="buurt", area="parkstad", indicator="aantal_inwoners", year=area_data.year)
    open_page(page, server, "/?level=buurt&area=parkstad&indicator=aantal_inwoners")
    map_frame(page)
    # A4 portrait with 12 mm margins is about 703 CSS pixels wide: print media at that width
    page.set_viewport_size({"width": 703, "height": 1000})
    page.emulate_media(media="print")
    page.wait_for_timeout(800)
    facts = page.evaluate("""() => {
        const visible = e => e && e.offsetParent !== null;
        const table = document.querySelector('table.print-only');
        const main = document.querySelector('[data-testid="stMain"]');
        const wide = [...main.querySelectorAll('table, iframe, svg')].filter(e => visible(e)
            && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length;
        return {sidebar: visible(document.querySelector('[data-testid="stSidebar"] [data-testid="stSidebarNav"]')),
                rankingGrid: visible(document.querySelector('[data-testid="stDataFrame"]')),
                printed: visible(table) ? table.querySelectorAll('tbody tr').length : 0, wide};
    }""")
    assert not facts["sidebar"] and not facts["rankingGrid"], facts
    assert facts["printed"] == len(ranking(area_data, view)) > 200, facts  # every buurt, not the grid's dozen
    assert facts["wide"] == 0, facts
    page.emulate_media(media="screen")
    assert page.locator("table.print-only").first.is_hidden()  # on screen the grid alone


WIDE_JS = """() => {
    const visible = e => e && e.offsetParent !== null;
    const main = document.querySelector('[data-testid="stMain"]');
    return [...main.querySelectorAll('table, iframe, svg, canvas, [data-testid="stElementContainer"]')]
        .filter(e => visible(e) && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + ' ' + (e.getAttribute('data-testid') || e.className || '')).slice(0, 5);
}"""


@pytest.mark.parametrize("path", [p for p in PAGES if not p.startswith("/monitor")])
def test_every_page_prints_on_a4_portrait_without_the_sidebar(server, page, path):
    open_whole(page, server, path, PAGES[path][1])
    page.set_viewport_size({"width": 703, "height": 1000})  # A4 portrait with 12 mm margins, in CSS pixels
    page.emulate_media(media="print")
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSidebarNav"]').is_hidden()
    assert page.evaluate(WIDE_JS) == []  # nothing runs off the sheet
