"""Monitor (`/monitor`): for one area, each problem against the province over time, with the initiatives."""

from __future__ import annotations

import logging
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import (
    VALUE_AXIS_FORMAT,
    altair_chart,
    compare_link,
    data,
    data_key,
    explorer_link,
    initiatives,
    initiatives_version,
    line_encodings,
    show_notices,
    tr,
)
from geo.data import domain
from geo.data.region import current as current_region
from geo.export import csv_bytes
from geo.i18n import literal, number
from geo.initiatives import filters as filt
from geo.maps import explorer, line_styles, trend
from geo.maps.monitor import area_options, default_area, export_frame, monitor, records
from geo.maps.monitor_table import monitor_table_html
from geo.maps.trend import year_label
from geo.report import ReportUnavailable, monitor_pdf, report_input


@st.cache_resource(show_spinner=False, max_entries=64)
def monitor_rows(generation: str, area: str, lang: str):
    """The monitor of one area, computed once per cache generation and language."""
    return monitor(data(), area, lang)


@st.cache_data(show_spinner=False, max_entries=32)
def monitor_report(generation: str, area: str, lang: str, initiatives_at: str) -> bytes:
    """The monitor of an area as a PDF: the same rows as the page (records), once per cache, area, language and
    state of the initiatives."""
    return monitor_pdf(report_input(data(), area, area_label(area), lang, initiatives(),
                                    monitor_rows(generation, area, lang)))


area_data = data()
lang = st.session_state.get("lang", "nl")
options = area_options(area_data)
notices = []
province = domain.regions()[domain.province_id()].label(lang)
area = st.query_params.get("area") or default_area()
if area not in options:
    notices.append(explorer.Notice("area", area, default_area()))
    area = default_area()
st.query_params["area"] = area


def area_label(code: str) -> str:
    return trend.area_label(area_data, code, lang)


def _area_to_url() -> None:
    st.query_params["area"] = st.session_state["monitor_area"]


st.title(tr("monitor_title", area=area_label(area), province=province))
intro = current_region().intro
st.caption(" ".join(x for x in (intro.get(lang) if intro else "", tr("monitor_intro", province=province)) if x))
show_notices(notices)
st.session_state["monitor_area"] = area
st.selectbox(tr("monitor_area"), options, key="monitor_area", format_func=area_label, on_change=_area_to_url)

rows = monitor_rows(data_key(area_data), area, lang)
active = filt.in_area(initiatives(), area)
table = records(rows, lang, province)
for record, row in zip(table, rows, strict=True):
    record["initiatives"] = len(filt.for_problem(active, row.problem))
    if record["latest_level"]:  # the figure exists at a coarser level: link to that view
        scope = area if area in domain.priority_areas() or area.startswith("GM") else default_area()
        record["latest_link"] = explorer_link(indicator=record["indicator_id"], level=record["latest_level"],
                                              area=scope, year=record["latest_level_year"])
st.html(monitor_table_html(table, province, lang))
st.download_button(tr("monitor_download"), csv_bytes(export_frame(table)), file_name=f"monitor_{area}.csv",
                   mime="text/csv")
report_slot = st.empty()  # the PDF's button, filled in last: the page is drawn before the report is made

chart_rows = []
for record, row in zip(table, rows, strict=True):
    for line, points in ((area_label(area), row.points), (province, row.reference)):
        segment = 0
        for point in points:
            if point.value is None or point.break_before:
                segment += 1
            if point.value is not None:  # an aggregate of only some members has no value: never drawn
                year_text = year_label(point.year, point.reference_year, lang)
                chart_rows.append({"problem": record["problem"], "series": line, "year": point.year,
                                   "value": point.value, "segment": f"{line}-{segment}",
                                   "text": number(point.value, record["decimals"], lang), "year_text": year_text})

if chart_rows:
    st.header(tr("monitor_chart", area=area_label(area), province=province))
    frame = pd.DataFrame(chart_rows)
    base = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("year:Q", title=tr("trend_axis_year"), axis=alt.Axis(format="d", tickMinStep=1),
                scale=alt.Scale(domain=[area_data.years[0], area_data.years[-1]])),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=VALUE_AXIS_FORMAT)),
        **line_encodings([area_label(area), province], line_styles.styles(1), alt.Legend(orient="bottom")),
        detail="segment:N",
        tooltip=[alt.Tooltip("series:N", title=tr("col_name")),
                 alt.Tooltip("year_text:N", title=tr("year")), alt.Tooltip("text:N", title=tr("monitor_col_latest"))],
    ).properties(width=220, height=140)
    altair_chart(base.facet(facet=alt.Facet("problem:N", title=None, sort=list(dict.fromkeys(frame["problem"]))),
                            columns=3).resolve_scale(y="independent").resolve_axis(x="independent"))
    with st.expander(tr("chart_as_table")):  # the charts' figures as text (WCAG 1.1.1)
        st.table(trend.points_table(chart_rows, area_data.years, tr("monitor_col_problem"), tr("col_name")))
    if not area_data.has_national:
        st.caption(tr("trend_no_nl"))

st.header(tr("monitor_initiatives"))
for row in rows:
    items = filt.for_problem(active, row.problem)
    names = ", ".join(literal(i.name) for i in items[:12]) + (" …" if len(items) > 12 else "")
    link = None
    if row.indicator:
        scope = area if area in domain.priority_areas() or area.startswith("GM") else default_area()
        reference = domain.province_id() if row.indicator.kind != "count" else "none"
        link = explorer_link(indicator=row.indicator.id, level="wijk", area=scope, ref=reference)
    text = f"**{literal(row.problem.label(lang))}** ({len(items)}): {names or literal(tr('monitor_none_initiatives'))}"
    if link:
        text += f" · [{literal(tr('monitor_open_map'))}]({link})"
    st.markdown(text)
st.markdown(f"[{literal(tr('compare_this'))} →]({compare_link(area)})")
st.caption(tr("monitor_print"))

with report_slot:
    try:
        report = monitor_report(data_key(area_data), area, lang, initiatives_version())
    except ReportUnavailable as exc:
        logging.getLogger("parkstad.report").warning("%s", exc)
        st.caption(tr("report_unavailable"))
    else:
        st.download_button(tr("report_download"), report,
                           file_name=f"monitor-{area}-{date.today().isoformat()}.pdf", mime="application/pdf",
                           key="report_pdf")
