"""Map explorer (`/`): level, scope, indicator, classes, reference; map, legend, ranking, profile."""

from __future__ import annotations

import folium
import streamlit as st

from app_pages.common import (
    attribution_caption,
    compare_link,
    data,
    data_key,
    initiatives,
    initiatives_version,
    map_event,
    placer,
    prepared_geometry,
    priority_area_outlines,
    show_map,
    show_notices,
    source_label,
    tr,
    translator,
    trend_chart,
)
from geo.data import domain
from geo.i18n import literal, number
from geo.maps import explorer
from geo.maps.choropleth import gemeente_outlines
from geo.maps.classify import MAX_CLASSES, MIN_CLASSES, SCHEMES
from geo.maps.explorer_page import ExplorerPage, explorer_page
from geo.maps.leaflet import base_map, choropleth_layer, legend_html, outline_layer
from geo.maps.trend import year_label

area_data = data()
generation = data_key(area_data)  # the loaded cache (folder and generation)
view, notices = explorer.parse_view(st.query_params.to_dict(), area_data)
lang = view.lang
st.query_params.update(view.params())  # the URL always holds the complete, shareable view
if not view.change:
    st.query_params.pop("change", None)
year_data = area_data.for_year(view.year)


@st.cache_resource(show_spinner=False, max_entries=4)
def gemeente_lines(generation: str):
    return gemeente_outlines(data())


@st.cache_resource(show_spinner=False, max_entries=256)
def results(generation: str, view: explorer.View) -> ExplorerPage:
    """The map's values, legend, ranking and references of a view: once per cache generation and view, for all
    sessions (read only)."""
    return explorer_page(data(), view)


page = results(generation, view)
_, left_view = explorer.selection_in_view(st.query_params.get("sel"), set(page.choropleth.properties))
if left_view:
    st.query_params.pop("sel", None)
    name = area_data.name_of(left_view)
    notices = [*notices, explorer.Notice("sel", f"{name} ({left_view})" if name else left_view, "",
                                         "notice_sel_outside")]


# --- controls (their state mirrors the URL) ---------------------------------------------------
PARAM_OF = {"ctl_level": "level", "ctl_area": "area", "ctl_indicator": "indicator", "ctl_scheme": "scheme",
            "ctl_classes": "classes", "ctl_ref": "ref", "ctl_init": "init", "ctl_year": "year",
            "ctl_change": "change"}


def _to_url(key: str) -> None:  # the selection (sel) stays; it leaves only when the new view does not hold it
    value = st.session_state[key]
    st.query_params[PARAM_OF[key]] = str(int(value)) if isinstance(value, bool) else str(value)


for widget_key, param in PARAM_OF.items():
    st.session_state[widget_key] = bool(view.init) if param == "init" else getattr(view, param)

areas = domain.priority_areas()
scope_options = [*domain.group_ids(), "all", *areas, *domain.focus_codes()]
if view.level == "gemeente":
    scope_options.insert(len(domain.group_ids()) + 1, domain.province_id())


label = translator(lang)


def scope_label(code: str) -> str:
    return explorer.scope_label(area_data, code, lang)


available = page.available
indicator_groups = dict(area_data.catalogue.menu(lang))  # by Regio Deal problem, then by subject
indicator_ids = list(indicator_groups)


def indicator_label(indicator_id: str) -> str:
    label = f"{indicator_groups[indicator_id]} › {area_data.catalogue[indicator_id].label(lang)}"
    return label if indicator_id in available else f"{label} ({tr('indicator_no_data_here')})"


with st.sidebar:
    st.selectbox(tr("level"), list(explorer.LEVELS), key="ctl_level", on_change=_to_url, args=("ctl_level",),
                 format_func=lambda v: label(f"level_{v}"))
    st.selectbox(tr("scope"), scope_options, key="ctl_area", on_change=_to_url, args=("ctl_area",),
                 format_func=scope_label)
    st.selectbox(tr("indicator"), indicator_ids, key="ctl_indicator", on_change=_to_url, args=("ctl_indicator",),
                 format_func=indicator_label)
    st.selectbox(tr("reference"), explorer.references(), key="ctl_ref", on_change=_to_url, args=("ctl_ref",),
                 format_func=lambda v: explorer.reference_label(v, lang))
    years = sorted(area_data.years, reverse=True)
    st.selectbox(tr("year"), years, key="ctl_year", on_change=_to_url, args=("ctl_year",))
    st.selectbox(tr("change"), [0, *[y for y in years if y < view.year]], key="ctl_change", on_change=_to_url,
                 args=("ctl_change",), format_func=lambda y: label("change_none") if y == 0 else str(y))
    st.selectbox(tr("scheme"), SCHEMES, key="ctl_scheme", on_change=_to_url, args=("ctl_scheme",),
                 format_func=lambda v: label(f"scheme_{v}"))
    st.slider(tr("classes"), MIN_CLASSES, MAX_CLASSES, key="ctl_classes", on_change=_to_url, args=("ctl_classes",))
    st.toggle(tr("init_overlay"), key="ctl_init", on_change=_to_url, args=("ctl_init",))
    st.caption(tr("share_link"))

# --- heading and notices ----------------------------------------------------------------------
indicator = area_data.catalogue[view.indicator]
st.title(tr("nav_map"))
year_text = year_label(view.year, indicator.reference_year(view.year), lang)  # income of year N describes N - 2
st.caption(tr("map_caption", indicator=indicator.titled(lang), level=tr(f"level_{view.level}"),
              scope=scope_label(view.area), year=year_text))
with st.container():  # always there, so that the map below keeps its place (and is not rebuilt) when
    show_notices(notices)  # a notice comes or goes
    if view.indicator not in available:
        st.info(tr("no_values", indicator=indicator.label(lang), source=source_label(area_data.manifest)))
    not_comparable = page.not_comparable
    if not_comparable is not None:
        st.info(tr("ref_not_possible", ref=literal(explorer.reference_label(view.ref, lang)),
                   why=literal(not_comparable.text(lang))))

# --- map and legend ---------------------------------------------------------------------------
choropleth = page.choropleth
map_column, legend_column = st.columns([3, 1])


def build_map():
    # The base map (tiles, extent) only changes with the scope; the layers go in as feature groups, which
    # streamlit-folium swaps in place: a new indicator, year or classification keeps the zoom.
    prepared = prepared_geometry(view.level, view.area, view.year)
    fmap = base_map(prepared.bounds, lang)
    areas_layer = folium.FeatureGroup(name=indicator.label(lang))
    choropleth_layer(prepared.collection(choropleth.properties), indicator.label(lang),
                     prepared.bounds).add_to(areas_layer)
    layers = [areas_layer,
              outline_layer(gemeente_lines(generation), tr("layer_gemeenten"), "#333333", 1.6),
              outline_layer(priority_area_outlines(), tr("layer_areas"), "#d7191c", 2.6, dash="6 4")]
    if view.init:
        from geo.initiatives.map_layers import marker_layer  # imported only when shown (folium plugins)

        in_scope = set(explorer.scope_frame(year_data, view.level, view.area)["gemeentecode"])
        items = [i for i in initiatives() if set(i.gemeentecodes) & in_scope]
        markers, _ = marker_layer(items, placer(), lang, tr("init_layer"))
        layers.append(markers)
    return fmap, layers


with map_column:
    result = show_map(build_map, (view, initiatives_version() if view.init else ""),
                      key=f"explorer_map_{view.level}_{view.area}", height=560,
                      returned_objects=["last_active_drawing"])
    attribution_caption()

with legend_column:
    if view.change:
        key = "legend_change_gap" if view.ref != "none" else "legend_change"
        title = tr(key, ref=explorer.reference_label(view.ref, lang), since=view.change, year=view.year)
    elif choropleth.diverging:
        title = tr("legend_difference", ref=explorer.reference_label(view.ref, lang))
    else:
        title = indicator.label(lang)
    rows = page.legend
    unit = indicator.unit_in(lang)
    st.html(legend_html(tr("legend"), f"{title} ({unit})" if unit else title, rows, lang))
    if any(r["missing"] for r in rows):
        reasons = "; ".join(tr("legend_missing_reason", text=text, n=n)
                            for text, n in page.missing_summary)
        st.caption(tr("legend_missing_help", reasons=literal(reasons)))

# --- selection and profile --------------------------------------------------------------------
codes = set(choropleth.properties)
clicked = explorer.select_from_click(map_event(result, "last_active_drawing"), codes)
if clicked != st.session_state.get("last_map_click"):  # only a new click selects; the map repeats its last one
    st.session_state["last_map_click"] = clicked
    if clicked:
        st.query_params["sel"] = clicked
selected = st.query_params.get("sel") if st.query_params.get("sel") in codes else None


def _selection_to_url() -> None:
    if st.session_state["ctl_sel"]:
        st.query_params["sel"] = st.session_state["ctl_sel"]
    else:
        st.query_params.pop("sel", None)


table = page.ranking
name_of = dict(zip(table["code"], table["name"], strict=True))
st.header(tr("profile"))
st.session_state["ctl_sel"] = selected
st.selectbox(tr("profile_select"), [None, *table["code"]], key="ctl_sel", on_change=_selection_to_url,
             format_func=lambda c: "—" if c is None else f"{name_of[c]} ({c})", placeholder=tr("choose_option"))
if selected:
    row = year_data.row(selected)
    st.markdown(f"**{literal(name_of[selected])}**, {literal(str(row['gemeentenaam']))} ({view.year}) · "
                f"[{literal(tr('compare_with'))} →]({compare_link(selected, str(row['gemeentecode']))})")
    profile_rows = explorer.profile(area_data, selected, lang, view.year)
    gemeente_name = str(row["gemeentenaam"])
    rows = []
    for p in profile_rows:
        ind = area_data.catalogue[p.indicator_id]

        def cell(value, column, ind=ind, p=p):
            return number(value, ind.decimals, lang) if value is not None else f"– ({p.why.get(column, '')})"

        rows.append({tr("indicator"): ind.label(lang), tr("profile_this_area"): cell(p.value, "area"),
                     gemeente_name: cell(p.gemeente, "gemeente"),
                     **{explorer.region_name(r, lang, short=True): cell(v, r) for r, v in p.regions.items()},
                     tr("col_unit"): ind.unit_in(lang), tr("monitor_col_source"): ind.source(view.year, None, lang)})
    st.dataframe(rows, hide_index=True, width="stretch")
    st.session_state.setdefault("ctl_trend", view.indicator)
    trend_id = st.selectbox(tr("trend_pick"), indicator_ids, key="ctl_trend", format_func=indicator_label)
    trend_chart(area_data, selected, trend_id, name_of[selected])
else:
    st.caption(tr("profile_hint"))

# --- ranking table (also the text alternative to the map) -------------------------------------
st.header(tr("ranking"))
st.caption(tr("ranking_help"))
columns = page.ranking_columns
shown = table[list(columns)].rename(columns=columns)
number_format = "%." + str(indicator.decimals) + "f"
st.dataframe(
    shown, hide_index=True, width="stretch", placeholder="–",  # an empty figure: "–", and why in its own column
    column_config={heading: st.column_config.NumberColumn(format=number_format)
                   for key, heading in columns.items() if key in ("value", "reference", "difference", "change")},
)
st.html(page.ranking_print)  # the whole ranking on paper, in the grid's place
references = page.references
kind_word = tr("total") if indicator.kind == "count" else tr("average")
st.markdown(f"**{literal(tr('reference_rows'))}** ({literal(kind_word)})")
st.dataframe(
    [{tr("col_name"): r["name"], columns["value"]: number(r["value"], indicator.decimals, lang),
      tr("col_coverage"): tr("coverage", covered=r["covered"], members=r["members"]), tr("col_why"): r["why"]}
     for r in references.to_dict(orient="records")],
    hide_index=True, width="stretch",
)
st.download_button(
    tr("download_csv"), page.ranking_csv,
    file_name=f"{view.indicator}_{view.level}_{view.area}_{view.year}"
              + (f"_sinds_{view.change}" if view.change else "") + ".csv", mime="text/csv",
)
