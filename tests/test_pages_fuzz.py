"""Every page under generated query parameters (Hypothesis through AppTest): never an exception or the
visitor's apology, always a heading. Known keys get random, empty, repeated, very long, Unicode, Markdown and
HTML values; unknown keys come too. Failing cases found this way are kept as explicit examples below.

PARKSTAD_FUZZ_EXAMPLES sets the number of cases per page (default 150; CI runs the default)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.test_app import APP, problems

EXAMPLES = int(os.environ.get("PARKSTAD_FUZZ_EXAMPLES", "150"))
PAGES = ["app_pages/explorer.py", "app_pages/monitor.py", "app_pages/buurt.py", "app_pages/initiatieven.py",
         "app_pages/gebieden.py", "app_pages/over.py", "app_pages/toegankelijkheid.py",
         "app_pages/vergelijk.py"]
KEYS = ["lang", "level", "area", "indicator", "classes", "scheme", "ref", "year", "change", "sel", "init",
        "theme", "programme", "gemeente", "status", "q", "start", "buurt", "areas"]
MEANINGFUL = ["nl", "en", "de", "gemeente", "wijk", "buurt", "parkstad", "all", "limburg", "kerkrade-oost",
              "heerlen-noord", "GM0928", "WK092801", "BU09280105", "BU03630917", "aantal_inwoners",
              "misdrijven_per_1000_inwoners", "quantiles", "natural_breaks", "equal_interval", "none", "3", "7", "0",
              "99", "-1", "2019", "2024", "2030", "1", "wonen", "running,completed", "2020-2024", "2030-2020",
              "Regio Deal Parkstad Limburg", "Bleijerheide", "6461", "zzzz", "kerkrade-oost,GM0917,BU09280105",
              "GM0917,GM0928,GM0882,GM0899,GM0965"]
HOSTILE = ["", " ", "__proto__", "constructor", "**bold**", "<script>alert(1)</script>", "<img src=x onerror=1>",
           "[x](javascript:alert(1))", "# kop", "- lijst", "1. een", ":red[x]", "$x$", "`code`", "\\", "%00",
           "\u202e\u0645", "🏳️‍🌈", "x" * 5000, "9" * 400, "1e400", "nan", "inf", "NaN", "-0", "0x10", "../..",
           "'; DROP TABLE initiatives; --", "=HYPERLINK(\"http://evil\")", "{{7*7}}", "a\nb", "null", "true"]
value = st.one_of(st.sampled_from(MEANINGFUL), st.sampled_from(HOSTILE), st.text(max_size=30),
                  st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=200,
                          max_size=2000))
values = st.one_of(value, st.lists(value, min_size=2, max_size=3))  # repeated keys: ?q=a&q=b
key = st.one_of(st.sampled_from(KEYS), st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
params = st.dictionaries(key, values, max_size=6)


def visit(page: str, query: dict) -> AppTest:
    """A new visitor opening the page's URL with these parameters (one run, as a browser does)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(page)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def check(page: str, query: dict) -> None:
    at = visit(page, query)
    assert not problems(at), (page, query, problems(at))
    assert at.title and at.title[0].value.strip(), (page, query, "no heading")


@pytest.mark.parametrize("page", PAGES)
def test_page_survives_any_query(app_env, page):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                     HealthCheck.data_too_large])
    @given(query=params)
    @example(query={"q": "zzzz"})  # the search with no hit on /initiatieven (st.html got an empty legend)
    @example(query={"theme": "__proto__"})  # a URL value in a notice must not become bold
    @example(query={"area": "kerkrade-oost", "level": "buurt", "q": "zzzz", "status": "planned"})
    def run(query):
        check(page, query)

    run()


def test_empty_search_on_initiatives_is_a_plain_message(app_env):
    at = visit("app_pages/initiatieven.py", {"q": "zzzz"})
    assert not problems(at)
    assert at.metric[0].value == "0" and any("Geen initiatieven bij deze filters" in i.value for i in at.info)
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "geen initiatieven in deze selectie" in legend and "0 ·" not in legend


def test_url_values_in_notices_are_shown_literally(app_env):
    at = visit("app_pages/initiatieven.py", {"theme": "__proto__"})
    notice = next(w.value for w in at.warning if "proto" in w.value)
    assert "\\_\\_proto\\_\\_" in notice  # escaped Markdown: the reader sees __proto__, not bold "proto"
    at = visit("app_pages/explorer.py", {"indicator": "<b>x</b>**y**"})
    notice = next(w.value for w in at.warning if "x" in w.value)
    assert "\\<b\\>x\\</b\\>\\*\\*y\\*\\*" in notice
