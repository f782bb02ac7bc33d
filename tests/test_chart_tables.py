"""Every chart has its figures beside it as a table, on every page that draws one (WCAG 1.1.1: a chart is an image
to a screen reader; "De grafiek als tabel")."""

from __future__ import annotations

import pytest

from tests.test_app import run_page

CHARTED = [
    ("app_pages/explorer.py", {"level": "wijk", "area": "GM0917", "sel": "WK091710"}),
    ("app_pages/monitor.py", {"area": "GM0917"}),
    ("app_pages/vergelijk.py", {"areas": "kerkrade-oost,heerlen-noord,GM0917"}),
    ("app_pages/buurt.py", {"buurt": "BU09171000"}),
    ("app_pages/initiatieven.py", {}),
]


@pytest.mark.parametrize(("page", "params"), CHARTED, ids=[page for page, _ in CHARTED])
def test_every_chart_has_its_table(app_env, page, params):
    at = run_page(page, **params)
    charts = at.get("vega_lite_chart")
    tables = [e for e in at.expander if e.label == "De grafiek als tabel" and e.table]
    assert charts, page  # the page does draw a chart here
    assert len(tables) >= len(charts), (page, len(charts), len(tables))
