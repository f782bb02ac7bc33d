"""Compare (`/vergelijk?areas=kerkrade-oost,heerlen-noord,GM0917`): up to four areas of any level side by side, per
Regio Deal problem, against the province, with small trend charts on one scale per problem."""

from __future__ import annotations

import logging
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from app_pages.common import (
    VALUE_AXIS_FORMAT,
    altair_chart,
    data,
    data_key,
    initiatives,
    initiatives_link,
    initiatives_version,
    line_encodings,
    show_notices,
    tr,
)
from geo.data import domain
from geo.i18n import literal
from geo.initiatives import filters as filt
from geo.maps import comparison, line_styles, trend
from geo.report import ReportUnavailable, comparison_input, comparison_pdf

area_data = data()
lang = st.session_state.get("lang", "nl")
province = domain.regions()[domain.province_id()].label(lang)
choices = comparison.area_choices(area_data)
areas, notices = comparison.parse_areas(st.query_params.get("areas"), choices)
st.query_params["areas"] = ",".join(areas)


def area_label(code: str) -> str:
    return trend.area_label(area_data, code, lang, with_code=True)


@st.cache_resource(show_spinner=False, max_entries=64)
def compared(generation: str, areas: tuple[str, ...], lang: str):
    """The comparison of these areas, once per cache generation and language, for all sessions (read only)."""
    return comparison.compare(data(), list(areas), lang)


@st.cache_data(show_spinner=False, max_entries=32)
def comparison_report(generation: str, areas: tuple[str, ...], lang: str, initiatives_at: str) -> bytes:
    """The comparison as a PDF on A4 (geo.report), from the same rows as the table below."""
    return comparison_pdf(comparison_input(data(), list(areas), {a: area_label(a) for a in areas}, lang,
                                           initiatives(), compared(generation, areas, lang)))


def _to_url() -> None:
    st.query_params["areas"] = ",".join(st.session_state["compare_areas"])


st.title(tr("compare_title"))
st.caption(tr("compare_intro", n=comparison.MAX_AREAS, province=province))
show_notices(notices)
st.session_state["compare_areas"] = areas
st.multiselect(tr("compare_areas"), choices, key="compare_areas", on_change=_to_url, format_func=area_label,
               max_selections=comparison.MAX_AREAS, placeholder=tr("choose_options"))
if not areas:
    st.info(tr("compare_none"))
    st.stop()

rows = compared(data_key(area_data), tuple(areas), lang)
names = {area: area_label(area) for area in areas}
st.header(tr("compare_table", province=province))
st.table(pd.DataFrame(comparison.table(rows, areas, names, lang, province)).set_index(tr("compare_col_problem")))
st.caption(tr("compare_table_note", province=province))
report_slot = st.empty()  # the PDF's button, filled in last: the page is drawn before the report is made

points = pd.DataFrame(comparison.chart_rows(rows, names, province, lang))
if not points.empty:
    st.header(tr("compare_charts"))
    order = [names[a] for a in areas] + [province]
    chart = alt.Chart(points).mark_line(point=True).encode(
        x=alt.X("year:Q", title=tr("trend_axis_year"), axis=alt.Axis(format="d", tickMinStep=1),
                scale=alt.Scale(domain=[area_data.years[0], area_data.years[-1]])),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False), axis=alt.Axis(format=VALUE_AXIS_FORMAT)),
        **line_encodings(order, line_styles.styles(len(areas)), alt.Legend(orient="bottom", labelLimit=260)),
        tooltip=[alt.Tooltip("series:N", title=tr("col_name")), alt.Tooltip("year:Q", title=tr("year")),
                 alt.Tooltip("value:Q", title=tr("monitor_col_latest"), format=",.1f")],
    ).properties(width=220, height=140)
    altair_chart(chart.facet(facet=alt.Facet("problem:N", title=None, sort=list(dict.fromkeys(points["problem"]))),
                             columns=3).resolve_scale(y="independent").resolve_axis(x="independent"))
    st.caption(tr("compare_charts_note"))
    with st.expander(tr("chart_as_table")):  # the charts' figures as text (WCAG 1.1.1)
        st.table(trend.points_table(points.to_dict("records"), area_data.years, tr("compare_col_problem"),
                                    tr("col_name")))

st.header(tr("compare_initiatives"))
counts = filt.counts_per_problem(initiatives(), areas, names, lang)
st.table(pd.DataFrame(counts).set_index(tr("compare_col_problem")))
st.caption(tr("compare_initiatives_note"))
links = [f"[{literal(tr('compare_open_initiatives', area=names[area]))}]({initiatives_link(filters)})"
         for area in areas if (filters := filt.filters_for(area)) is not None]
if links:
    st.markdown(" · ".join(links))

with report_slot:
    try:
        pdf = comparison_report(data_key(area_data), tuple(areas), lang, initiatives_version())
    except ReportUnavailable as exc:
        logging.getLogger("parkstad.report").warning("%s", exc)
        st.caption(tr("report_unavailable"))
    else:
        st.download_button(tr("compare_report_download"), pdf, mime="application/pdf", key="compare_pdf",
                           file_name=f"vergelijking-{'-'.join(areas)}-{date.today().isoformat()}.pdf".lower())
