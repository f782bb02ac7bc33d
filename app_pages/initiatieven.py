"""Initiatives (`/initiatieven`): filter, map, table, export, need vs action; maintenance for staff."""

from __future__ import annotations

from datetime import date

import altair as alt
import folium
import pandas as pd
import streamlit as st

from app_pages.common import (
    VALUE_AXIS_FORMAT,
    altair_chart,
    attribution_caption,
    data,
    initiatives,
    initiatives_version,
    placer,
    prepared_geometry,
    priority_area_outlines,
    show_map,
    staff_actor,
    staff_mode,
    staff_name,
    store,
    tr,
    translator,
)
from geo.data import domain
from geo.i18n import date_text, literal, number
from geo.initiatives import filters as filt
from geo.initiatives.files import EXPORTERS, FileProblem, export, read_rows
from geo.initiatives.map_layers import action_legend, gemeente_properties, marker_layer, theme_legend_html
from geo.initiatives.schema import STATUSES, Initiative, Reference, check_rows
from geo.maps.leaflet import base_map, choropleth_layer, legend_html, outline_layer

area_data = data()
lang = st.session_state.get("lang", "nl")
everything = initiatives()
options = filt.options_for(everything)
filters, notices = filt.parse_filters({k: st.query_params.get_all(k) for k in st.query_params}, options)


label = translator(lang)


# --- filters (mirrored in the URL) -----------------------------------------------------------------
FILTER_KEYS = {"f_theme": "theme", "f_programme": "programme", "f_area": "area", "f_gemeente": "gemeente",
               "f_status": "status", "f_q": "q", "f_start": "start"}


def _to_url(key: str) -> None:
    value = st.session_state[key]
    param = FILTER_KEYS[key]
    if isinstance(value, (list, tuple)) and param == "start":
        text = "" if tuple(value) == (filt.YEAR_MIN, filt.YEAR_MAX) else f"{value[0]}-{value[1]}"
    elif isinstance(value, (list, tuple)):
        text = ",".join(value)
    else:
        text = value or ""
    if text:
        st.query_params[param] = text
    else:
        st.query_params.pop(param, None)


def _clear() -> None:
    for param in FILTER_KEYS.values():
        st.query_params.pop(param, None)


st.session_state.update({
    "f_theme": list(filters.themes), "f_programme": filters.programme, "f_area": filters.area,
    "f_gemeente": filters.gemeente, "f_status": list(filters.statuses), "f_q": filters.q,
    "f_start": filters.start or (filt.YEAR_MIN, filt.YEAR_MAX),
})
themes = domain.themes()
with st.sidebar:
    st.markdown(f"**{literal(label('init_filters'))}**")  # no heading before the page's h1
    st.multiselect(label("init_theme"), list(themes), key="f_theme", on_change=_to_url, args=("f_theme",),
                   format_func=lambda v: themes[v].label(lang), placeholder=label("choose_options"))
    st.selectbox(label("init_area"), [None, *options.areas], key="f_area", on_change=_to_url, args=("f_area",),
                 format_func=lambda v: label("init_all") if v is None else domain.priority_areas()[v].name)
    st.selectbox(label("init_gemeente"), [None, *options.gemeenten], key="f_gemeente", on_change=_to_url,
                 args=("f_gemeente",),
                 format_func=lambda v: label("init_all") if v is None else (area_data.name_of(v) or v))
    st.selectbox(label("init_programme"), [None, *options.programmes], key="f_programme", on_change=_to_url,
                 args=("f_programme",), format_func=lambda v: label("init_all") if v is None else v)
    st.multiselect(label("init_status"), list(STATUSES), key="f_status", on_change=_to_url, args=("f_status",),
                   format_func=lambda v: label(f"status_{v}"), placeholder=label("choose_options"))
    st.text_input(label("init_search"), key="f_q", on_change=_to_url, args=("f_q",), max_chars=100)
    st.slider(label("init_start_years"), filt.YEAR_MIN, filt.YEAR_MAX, key="f_start", on_change=_to_url,
              args=("f_start",))
    st.button(label("init_clear"), on_click=_clear, disabled=not filters.active)

# --- result ---------------------------------------------------------------------------------------
st.title(label("init_title"))
editing = staff_mode()  # how staff sign in ("off": nobody edits); read once per run
if editing != "off" and "staff_actor" not in st.session_state:  # where staff look first: the top of the page
    st.markdown(f"[{literal(label('staff_entry'))} ↓](#beheer)")
st.caption(label("init_intro"))
for notice in notices:
    st.warning(label("init_notice", given=literal(notice.given[:60]), param=literal(notice.param)), icon="ℹ️")
shown = filt.apply(everything, filters)
summary = filt.summary(shown)
first, second = st.columns(2)
first.metric(label("init_count"), summary.count)
second.metric(label("init_budget_total"), f"€ {number(summary.budget_total, 0, lang)}",
              help=label("init_budget_help", n=summary.with_budget, count=summary.count))

place = placer()
measure = st.radio(label("init_map_colour"), list(filt.MEASURES), horizontal=True,
                   format_func=lambda v: label(filt.MEASURES[v]))
prepared = prepared_geometry("gemeente", "all")
action_table = filt.action_per_gemeente(area_data, shown, prepared.codes)
properties, classes = gemeente_properties(action_table, measure, lang)


def build_map():
    fmap = base_map(prepared.bounds, lang)
    choropleth_layer(prepared.collection(properties), label(filt.MEASURES[measure]), prepared.bounds).add_to(fmap)
    outline_layer(priority_area_outlines(), tr("layer_areas"), "#d7191c", 2.4, dash="6 4").add_to(fmap)
    markers, _ = marker_layer(shown, place, lang, label("init_layer"))
    markers.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap, None


pinned = sum(place.place(item).pinned for item in shown)
map_column, legend_column = st.columns([3, 1])
with map_column:
    content = ("initiatives", tuple(item.initiative_id for item in shown), measure, lang, initiatives_version())
    show_map(build_map, content, key="initiatives_map", height=540, returned_objects=[], render=False)
legend_column.html(legend_html(tr("legend"), label(filt.MEASURES[measure]),
                               action_legend(classes, measure, lang, summary.count), lang))
with st.expander(label("init_map_table")):  # the map's figures as a table (WCAG 1.1.1), in the page's number format
    st.table([{tr("col_name"): row["name"], tr("col_code"): row["gemeentecode"],
               label("init_per_area"): number(row["initiatives"], 0, lang),
               label("init_budget_per_inhabitant"): number(row["budget_per_inhabitant"], 2, lang)
               if pd.notna(row["budget_per_inhabitant"]) else "–"}
              for row in action_table.to_dict(orient="records")])
themes_html = theme_legend_html(shown, lang)
if themes_html:
    st.html(themes_html)
attribution_caption()
region_wide = summary.count - pinned
if region_wide:
    st.caption(label("init_region_wide", n=region_wide))

if not shown:
    st.info(label("init_none"))
else:
    rows = []
    for item in shown:
        rows.append({
            label("init_name"): item.name,
            label("init_programme"): item.programme,
            label("init_area"): domain.priority_areas()[item.area_id].name if item.area_id else "",
            label("init_gemeente"): ", ".join(area_data.name_of(c) or c for c in item.gemeentecodes),
            label("init_themes"): ", ".join(themes[tid].label(lang) for tid in item.theme_ids if tid in themes),
            label("init_status"): f"{label('status_' + item.status)} ({date_text(item.status_as_of, lang)})",
            label("init_budget"): item.budget_eur,
            label("init_years"): "–".join(str(y) for y in (item.start_year, item.end_year) if y),
            label("init_placement"): label("placement_" + place.place(item).basis),
            label("init_source"): item.source_url,
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        label("init_source"): st.column_config.LinkColumn(display_text="↗"),
        label("init_budget"): st.column_config.NumberColumn(format="€ %d"),
    })
    st.markdown(f"**{literal(label('init_export'))}**")
    columns = st.columns(3)
    gemeente_name = area_data.name_of(filters.gemeente) if filters.gemeente else None
    for column, fmt in zip(columns, EXPORTERS, strict=True):
        column.download_button(fmt.upper(), export(shown, fmt, place, lang), mime=EXPORTERS[fmt], key=f"export_{fmt}",
                               file_name=filters.file_name(date.today(), fmt, gemeente_name))

# --- need vs action -------------------------------------------------------------------------------
st.header(label("need_title"))
st.caption(label("need_intro"))
gemeente_indicators = [i for i in area_data.catalogue.available(area_data.layers["gemeenten"])
                       if i.kind != "count" and i.aggregation != "none"]
preferred = next((i.id for i in gemeente_indicators if i.direction == "higher_worse"),
                 next((i.id for i in gemeente_indicators if i.key), gemeente_indicators[0].id))
need_id = st.selectbox(label("need_indicator"), [i.id for i in gemeente_indicators],
                       index=[i.id for i in gemeente_indicators].index(preferred),
                       format_func=lambda v: area_data.catalogue[v].label(lang))
action = st.radio(label("need_action"), list(filt.MEASURES), horizontal=True, key="need_action",
                  format_func=lambda v: label(filt.MEASURES[v]))
table = filt.need_vs_action(area_data, shown, need_id, domain.focus_codes())
if table.empty or table["need"].isna().all():
    st.info(label("need_no_values"))
else:
    need_label = area_data.catalogue[need_id].titled(lang)
    action_label = label(filt.MEASURES[action])
    chart_data = table.rename(columns={action: "action"})[["name", "need", "action"]]
    base = alt.Chart(chart_data).encode(
        x=alt.X("need:Q", title=need_label, scale=alt.Scale(zero=False), axis=alt.Axis(format=VALUE_AXIS_FORMAT)),
        y=alt.Y("action:Q", title=action_label),
        tooltip=[alt.Tooltip("name:N", title=label("init_gemeente")),
                 alt.Tooltip("need:Q", title=need_label, format=f",.{area_data.catalogue[need_id].decimals}f"),
                 alt.Tooltip("action:Q", title=action_label, format=f",.{filt.MEASURE_DECIMALS[action]}f")],
    )
    chart = base.mark_circle(size=120, color="#2c7fb8") + base.mark_text(dx=8, align="left").encode(text="name:N")
    altair_chart(chart, width="stretch")
    with st.expander(tr("chart_as_table")):  # the chart's figures as text (WCAG 1.1.1), in the page's format
        st.table([{label("init_gemeente"): row["name"],
                   need_label: number(row["need"], area_data.catalogue[need_id].decimals, lang)
                   if pd.notna(row["need"]) else "–",
                   action_label: number(row["action"], filt.MEASURE_DECIMALS[action], lang)
                   if pd.notna(row["action"]) else "–"}
                  for row in chart_data.to_dict(orient="records")])
    flagged = table.loc[table["high_need_low_action"], "name"].tolist()
    if flagged:
        st.markdown(literal(label("need_flag", names=", ".join(flagged))))

# --- maintenance: only for signed-in staff ----------------------------------------------------------
st.divider()
st.header(label("staff_title"), anchor="beheer")
st.markdown(literal(label("staff_intro")))
if editing == "off":
    st.caption(label("staff_off"))
    st.stop()
actor = staff_actor()  # the sign-in, right here under the heading
if actor is None:
    st.stop()

reference = Reference.from_data(area_data)
db = store()
records = {r.initiative.initiative_id: r for r in db.records(include_archived=True)}
edit_tab, upload_tab = st.tabs([label("form_title"), label("upload_title")])
with edit_tab:
    choice = st.selectbox(label("form_choose"), [None, *records], key="form_choice",
                          format_func=lambda v: label("form_new") if v is None else
                          f"{records[v].initiative.name} ({v}){' 🗄' if records[v].archived else ''}")
    current: Initiative | None = records[choice].initiative if choice else None
    if choice:
        st.caption(label("form_last_change", name=staff_name(records[choice].updated_by),
                         date=date_text(records[choice].updated_at, lang)))
    area_choices = ["", *domain.priority_areas()]
    with st.form(f"initiative_form_{choice}"):
        values = {
            "initiative_id": st.text_input(label("form_id"), value=current.initiative_id if current else "",
                                           disabled=current is not None, help=label("form_id_help")),
            "name": st.text_input(label("init_name"), value=current.name if current else ""),
            "programme": st.text_input(label("init_programme"), value=current.programme if current else ""),
            "area_id": st.selectbox(label("init_area"), area_choices,
                                    index=area_choices.index(current.area_id or "") if current else 0),
            "gemeentecodes": st.multiselect(label("init_gemeente"), sorted(reference.gemeenten),
                                            default=current.gemeentecodes if current else [],
                                            format_func=lambda c: f"{area_data.name_of(c)} ({c})",
                                            placeholder=label("choose_options")),
            "buurtcodes": st.multiselect(label("level_buurt"), sorted(reference.buurten),
                                         default=current.buurtcodes if current else [],
                                         format_func=lambda c: f"{area_data.name_of(c)} ({c})",
                                         placeholder=label("choose_options")),
            "theme_ids": st.multiselect(label("init_themes"), list(themes),
                                        default=current.theme_ids if current else [],
                                        format_func=lambda v: themes[v].label(lang),
                                        placeholder=label("choose_options")),
            "partners": st.text_input(label("init_partners") + " (;)",
                                      value="; ".join(current.partners) if current else ""),
            "budget_eur": st.text_input(label("init_budget") + " (EUR)",
                                        value="" if not current or current.budget_eur is None else
                                        f"{current.budget_eur:g}"),
            "budget_note": st.text_input(label("form_budget_note"), value=current.budget_note if current else "",
                                         help=label("form_budget_note_help")),
            "status": st.selectbox(label("init_status"), list(STATUSES),
                                   index=list(STATUSES).index(current.status) if current else 0,
                                   format_func=lambda v: label(f"status_{v}"), placeholder=label("choose_options")),
            "status_as_of": st.text_input(label("form_status_as_of"), help=label("form_status_as_of_help"),
                                          value=str(current.status_as_of) if current else ""),
            "start_year": st.text_input(label("form_start_year"), help=label("form_year_help"),
                                        value=str(current.start_year or "") if current else ""),
            "end_year": st.text_input(label("form_end_year"), help=label("form_year_help"),
                                      value=str(current.end_year or "") if current else ""),
            "description_nl": st.text_area(label("init_description"),
                                           value=current.description_nl if current else ""),
            "source_url": st.text_input(label("init_source") + " (https://…)",
                                        value=current.source_url if current else ""),
        }
        saved = st.form_submit_button(label("form_save"), type="primary")
    if saved:
        if current is not None:
            values["initiative_id"] = current.initiative_id
            values["lat"], values["lon"] = current.lat, current.lon
        checked = check_rows([values], reference)
        if current is None and values["initiative_id"] in records:
            st.error(label("form_exists", id=literal(values["initiative_id"])))
        elif not checked.ok:
            st.error(label("form_invalid"))
            st.dataframe([{label("col_problem"): p.message} for p in checked.problems], hide_index=True)
        else:
            db.upsert(checked.initiatives, actor)
            st.success(label("form_saved", id=values["initiative_id"]))
    if current is not None:
        archived = records[choice].archived
        if st.button(label("form_unarchive") if archived else label("form_archive"), key="archive"):
            db.set_archived(current.initiative_id, not archived, actor)
            st.success(label("form_restored" if archived else "form_archived", id=current.initiative_id))

with upload_tab:
    st.caption(label("upload_help"))
    upload = st.file_uploader(label("upload_title"), type=["csv", "xlsx"], key="upload")
    if upload is not None:
        try:
            rows = read_rows(upload.getvalue(), upload.name)
        except FileProblem as exc:
            st.error(literal(exc))
        else:
            checked = check_rows(rows, reference)
            if checked.ok:
                st.success(label("upload_ok", n=len(checked.initiatives)))
                if st.button(label("upload_import"), type="primary"):
                    inserted, updated = db.upsert(checked.initiatives, actor)
                    st.success(label("upload_done", inserted=inserted, updated=updated))
            else:
                st.error(label("upload_bad", n=len(checked.problems)))
                st.dataframe([{label("col_row"): p.row, "id": p.initiative_id, label("col_problem"): p.message}
                              for p in checked.problems], hide_index=True, width="stretch")
