"""The accessibility statement (/toegankelijkheid) and the rules behind the browser checks: the page's language in
dates, months, numbers and charts, legends with column headers, the whole table on paper."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import yaml

from geo.accessibility import Statement, statement
from geo.config import DEFINITIONS_DIR
from geo.i18n import chart_locale, date_text, number, period_text
from geo.maps.leaflet import allow_zoom, legend_html
from geo.maps.print_table import print_table
from tests.test_app import run_page


def test_the_statement_file_is_complete_and_its_deviations_explain_themselves():
    facts = statement()
    assert facts.standard.startswith("WCAG 2.1 AA")
    assert facts.status == "partial" and facts.deviations  # what remains is listed, so the status says partial
    for deviation in facts.deviations:
        for field in (deviation.what, deviation.cause, deviation.plan):
            assert all(len(field.get(lang)) > 20 for lang in ("nl", "en", "de")), deviation.id


def test_a_deviation_allows_only_its_rules_where_it_says():
    raw = yaml.safe_load((DEFINITIONS_DIR / "accessibility.yaml").read_text(encoding="utf-8"))
    raw["deviations"][0] |= {"axe_rules": ["meta-viewport"], "pages": ["/buurt"], "frame": "map"}
    facts = Statement.model_validate(raw)
    assert facts.deviation_for("meta-viewport", "/buurt", "map").id == raw["deviations"][0]["id"]
    assert facts.deviation_for("meta-viewport", "/buurt", "top") is None
    assert facts.deviation_for("meta-viewport", "/", "map") is None
    assert facts.deviation_for("color-contrast", "/buurt", "map") is None


def test_without_deviations_the_status_is_full():
    raw = yaml.safe_load((DEFINITIONS_DIR / "accessibility.yaml").read_text(encoding="utf-8"))
    assert Statement.model_validate(raw | {"deviations": []}).status == "full"


@pytest.mark.parametrize(("lang", "heading", "status"), [
    ("nl", "Toegankelijkheidsverklaring", "voldoet gedeeltelijk"),
    ("en", "Accessibility statement", "partially compliant"),
    ("de", "Erklärung zur Barrierefreiheit", "teilweise konform"),
])
def test_the_statement_page_says_standard_status_deviations_and_contact(app_env, lang, heading, status):
    at = run_page("app_pages/toegankelijkheid.py", lang=lang)
    assert at.title[0].value == heading
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")  # as read: without Markdown escapes
    assert "WCAG 2.1 AA" in text and status in text
    assert date_text(statement().checked, lang) in text
    for deviation in statement().deviations:
        assert any(deviation.criterion in s.value for s in at.subheader)
        assert deviation.cause.get(lang)[:40] in text
    assert "(https://www.limburg.nl)" in text  # the region file's contact, as a link


def test_dates_and_months_in_the_pages_language():
    assert date_text(date(2026, 12, 3), "nl") == "3 december 2026"
    assert date_text(datetime(2026, 3, 1, 14, 5), "en") == "1 March 2026"
    assert date_text("2026-05-09T10:00:00+00:00", "de") == "9. Mai 2026"
    assert date_text("not a date", "nl") == "not a date"
    assert period_text("2024MM03", "nl") == "maart 2024" and period_text("2024MM03", "de") == "März 2024"
    assert period_text("2024", "en") == "2024" and period_text("2024MM13", "en") == "2024MM13"


def test_charts_get_the_number_and_month_format_of_the_tables():
    for lang in ("nl", "en", "de"):
        locale = chart_locale(lang)
        assert number(1234.5, 1, lang) == f"1{locale['number']['thousands']}234{locale['number']['decimal']}5"
        assert len(locale["time"]["months"]) == 12 and len(locale["time"]["shortDays"]) == 7
    assert chart_locale("nl")["time"]["months"][3] == "april"


def test_the_legend_names_its_columns_and_keeps_its_colours():
    html = legend_html("Legenda", "Inwoners", [{"colour": "#123456", "label": "<b>1–2</b>", "count": 3,
                                                "missing": False}], "de")
    assert '<th scope="col">Farbe</th>' in html and '<th scope="col" class="n">Gebiete</th>' in html
    assert "forced-color-adjust:none" in html and "&lt;b&gt;1–2&lt;/b&gt;" in html


def test_the_printed_table_has_every_row_escaped_and_says_why_a_cell_is_empty():
    rows = [{"Naam": "<script>alert(1)</script>", "Waarde": "1,5"}, {"Naam": "B", "Waarde": None}]
    html = print_table(rows, ["Naam", "Waarde"], numeric=["Waarde"], caption="Rangorde")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<tr>") == 3 and '<td class="n">–</td>' in html and "<caption>Rangorde</caption>" in html


def test_the_map_lets_the_visitor_zoom_the_page():
    header = ('<meta name="viewport" content="width=device-width,\n initial-scale=1.0, maximum-scale=1.0, '
              'user-scalable=no" />')
    assert allow_zoom(header) == '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
