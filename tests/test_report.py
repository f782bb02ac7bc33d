"""The monitor report (issue 22): a PDF on A4 in the page's language, read back as text: the same numbers as the
page, the initiatives, the definitions; a missing font is said, never a crash."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from geo import report
from geo.data import domain
from geo.i18n import t
from geo.initiatives import filters as filt
from geo.maps.monitor import monitor, records
from tests.initiatives.test_initiatives import seed_rows


def seeded_initiatives(area_data) -> list:
    """The initiatives the project ships (data/initiatives.csv), checked against the areas in the cache."""
    from geo.initiatives.schema import Reference, check_rows

    return check_rows(seed_rows(), Reference.from_data(area_data)).initiatives


@pytest.fixture(scope="module")
def seeded(area_data):
    return seeded_initiatives(area_data)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("area", ["kerkrade-oost", "GM0917", "parkstad"])
def test_the_report_holds_the_pages_numbers_on_a4(area_data, seeded, area):
    made = report.report_input(area_data, area, area, "nl", seeded)
    reader, text = text_of(report.monitor_pdf(made, today=date(2026, 12, 3)))
    tokens = set(text.split())
    assert all(round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
               for page in reader.pages)  # A4 portrait, in points
    assert "3 december 2026" in text and "Datajaren 2019–2024" in text
    page_rows = records(monitor(area_data, area, "nl"), "nl", "Limburg")  # what /monitor shows
    shown = 0
    for record in page_rows:
        assert record["problem"].split()[0] in tokens
        if record["latest"] is not None:
            assert record["latest_text"] in tokens, (record["problem"], record["latest_text"])
            shown += 1
        if record["reference"] is not None:
            assert record["reference_text"].split()[0] in tokens, (record["problem"], record["reference_text"])
    assert shown >= 2
    assert "Definities" in text and "Initiatieven per probleem" in text.replace("\n", " ")


def test_the_report_lists_the_initiatives_working_there(area_data, seeded):
    made = report.report_input(area_data, "kerkrade-oost", "Kerkrade-Oost", "nl", seeded)
    _, text = text_of(report.monitor_pdf(made))
    flat = " ".join(text.split())
    active = filt.in_area(seeded, "kerkrade-oost")
    assert "SUPERLOCAL Bleijerheide" in flat and len(active) >= 5
    assert made.shape is not None  # the area's map


def test_the_report_in_german(area_data, seeded):
    made = report.report_input(area_data, "kerkrade-oost", "Kerkrade-Oost", "de", seeded)
    _, text = text_of(report.monitor_pdf(made, today=date(2026, 12, 3)))
    assert "Holt Kerkrade-Oost" in " ".join(text.split()) and "3. Dezember 2026" in text and "Definitionen" in text


def test_a_missing_font_is_said_not_a_crash(area_data, seeded, monkeypatch, tmp_path):
    monkeypatch.setattr(report, "FONT_DIR", tmp_path)
    made = report.report_input(area_data, "kerkrade-oost", "Kerkrade-Oost", "nl", seeded)
    with pytest.raises(report.ReportUnavailable, match="fonts-dejavu-core"):
        report.monitor_pdf(made)


def test_the_monitor_page_offers_the_report(app_env, monkeypatch):
    from tests.test_app import record_downloads, run_page

    sent = record_downloads(monkeypatch)
    at = run_page("app_pages/monitor.py", area="kerkrade-oost")
    assert any(b.proto.label == "Rapport als PDF (A4)" for b in at.get("download_button"))
    name = f"monitor-kerkrade-oost-{date.today().isoformat()}.pdf"
    _, text = text_of(sent[name])
    assert "Haalt Kerkrade-Oost het gemiddelde van Limburg in?" in " ".join(text.split())


def test_the_comparison_report_holds_the_pages_table(area_data, seeded):
    from geo.maps import comparison

    areas = ["kerkrade-oost", "heerlen-noord", "GM0917"]
    names = {"kerkrade-oost": "Kerkrade-Oost", "heerlen-noord": "Heerlen-Noord", "GM0917": "Heerlen"}
    made = report.comparison_input(area_data, areas, names, "nl", seeded)
    reader, text = text_of(report.comparison_pdf(made, today=date(2026, 12, 3)))
    assert round(float(reader.pages[0].mediabox.width)) == 842  # A4 landscape
    rows = comparison.table(comparison.compare(area_data, areas), areas, names, "nl", "Limburg")  # as on the page
    tokens = set(text.split())
    for row in rows:
        for name in names.values():
            first = row[name].split()[0]
            assert first in tokens, (row["Probleem"], name, row[name])
    flat = " ".join(text.split())
    assert "Vergelijking: Kerkrade-Oost, Heerlen-Noord, Heerlen" in flat
    assert "Initiatieven per probleem" in flat and "De gebieden" in flat  # counts per area, each area's map
    vacancy = next(r for r in made.initiatives if r["Probleem"] == "Leegstand")
    working = filt.for_problem(filt.in_area(seeded, "kerkrade-oost"), domain.problems()["leegstand"])
    assert vacancy["Kerkrade-Oost"] == len(working) > 0  # as /monitor counts them


def sheet_with(reader, words: str) -> int:
    return next(i for i, page in enumerate(reader.pages) if words in " ".join(page.extract_text().split()))


@pytest.mark.parametrize("lang", ["nl", "de"])
def test_a_map_heading_stays_with_its_map_and_definitions_name_their_source(area_data, seeded, lang):
    made = report.report_input(area_data, "kerkrade-oost", "Kerkrade-Oost", lang, seeded)
    reader, _ = text_of(report.monitor_pdf(made))
    attribution = made.attribution
    assert sheet_with(reader, t("report_map", lang, area="Kerkrade-Oost")) == sheet_with(reader, attribution)
    source = t("buurt_figure_source", lang, source="").split(":")[0] + ":"  # "Bron:" / "Quelle:"
    assert made.definitions and all(source in text for _, _, text in made.definitions), made.definitions
    areas = ["kerkrade-oost", "heerlen-noord", "GM0917", "GM0928"]
    names = {a: area_data.name_of(a) or a for a in areas}
    for chosen in (areas, areas[:3]):
        made = report.comparison_input(area_data, chosen, names, lang, seeded)
        reader, _ = text_of(report.comparison_pdf(made))
        assert sheet_with(reader, t("compare_maps", lang)) == sheet_with(reader, attribution)
        charts = reader.pages[sheet_with(reader, t("compare_charts", lang))].extract_text().split()
        assert str(area_data.years[0]) in charts  # the charts' first axis label, with their heading and legend


def test_a_report_names_itself_its_language_and_its_sections(area_data, seeded):
    """What an untagged PDF can still give a screen reader (data/accessibility.yaml, pdf-reports): the title shown
    by the reader, the language, and the headings as bookmarks."""
    made = report.report_input(area_data, "kerkrade-oost", "Kerkrade-Oost", "de", seeded)
    reader, _ = text_of(report.monitor_pdf(made))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == made.title and root["/Lang"] == "de"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    bookmarks = [entry.title for entry in reader.outline]
    assert t("report_definitions", "de") in bookmarks and t("monitor_initiatives", "de") in bookmarks
