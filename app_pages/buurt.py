"""My neighbourhood (`/buurt`): find a buurt by address, postcode or name; its profile, trend and initiatives."""

from __future__ import annotations

import time

import altair as alt
import folium
import pandas as pd
import streamlit as st

from app_pages.common import (
    altair_chart,
    attribution_caption,
    data,
    data_key,
    initiatives,
    map_event,
    prepared_geometry,
    show_map,
    translator,
    trend_chart,
)
from geo.data import domain, statline
from geo.data.pdok import SourceError
from geo.i18n import date_text, link_target, literal, number, period_text
from geo.initiatives.filters import area_programmes, programmes_by_area
from geo.maps import explorer
from geo.maps.choropleth import outline_collection
from geo.maps.classify import MISSING_COLOUR
from geo.maps.leaflet import base_map, choropleth_layer, escape_html, tooltip_html
from geo.residents import buurt_profile as bp
from geo.residents.locatieserver import Locatieserver
from geo.residents.name_search import NameIndex, clean_wijk_name

LS_RETRY_SECONDS = 60  # after a Locatieserver failure, search names for a minute before trying again

area_data = data()
lang = st.session_state.get("lang", "nl")
generation = data_key(area_data)  # the loaded cache (folder and generation)


label = translator(lang)


@st.cache_resource(show_spinner=False, max_entries=4)
def name_index(generation: str) -> NameIndex:
    return NameIndex(data())


def select(code: str) -> None:
    st.query_params["buurt"] = code


def locatieserver_up() -> bool:
    return time.time() >= st.session_state.get("ls_down_until", 0)


st.html("<style>@media print { [data-testid='stExpander'] { display: none !important; } }</style>")  # and PAGE_CSS
st.title(label("buurt_title"))
st.caption(label("buurt_intro"))

# --- finding the buurt ------------------------------------------------------------------------------
query = st.text_input(label("buurt_search"), key="buurt_query", max_chars=120)
mode_caption = st.empty()
suggestions, hits = [], []
if query.strip():
    if locatieserver_up():
        try:
            suggestions = Locatieserver().suggest(query)
        except SourceError:
            st.session_state["ls_down_until"] = time.time() + LS_RETRY_SECONDS
    hits = name_index(generation).search(query)
mode_caption.caption(label("buurt_search_ls" if locatieserver_up() else "buurt_search_names"))

if query.strip():
    options = {f"ls:{s.id}": s.label for s in suggestions} | {
        f"name:{h.code}": f"{h.name} ({label('kind_' + h.level)}, {h.context})" for h in hits
    }
    if not options:  # advice that fits: addresses and postcodes only while the Locatieserver answers
        st.info(label("buurt_no_results" if locatieserver_up() else "buurt_no_results_names",
                      query=literal(query[:60])))
    else:  # a single hit is opened at once; it stays in the list, so that another can be searched
        picked_option = st.selectbox(label("buurt_results"), list(options), index=0 if len(options) == 1 else None,
                                     key=f"choice_{query}", placeholder=label("choose_option"),
                                     format_func=options.get)
        choice = (*picked_option.split(":", 1), options[picked_option]) if picked_option else None
        if choice and choice[0] == "ls":
            try:
                location = Locatieserver().lookup(choice[1])
            except SourceError:
                st.session_state["ls_down_until"] = time.time() + LS_RETRY_SECONDS
                st.warning(label("buurt_search_names"))
            else:
                resolved = bp.resolve(area_data, location)
                if resolved.buurtcode:
                    if not resolved.checked:
                        st.caption(label("buurt_checked_mismatch", name=area_data.name_of(resolved.buurtcode)))
                    if st.query_params.get("buurt") != resolved.buurtcode:
                        select(resolved.buurtcode)
                        st.rerun()
                else:
                    st.warning(label("buurt_outside", place=literal(location.label),
                                     km=number(resolved.distance_km, 1, lang),
                                     gemeente=area_data.name_of(resolved.nearest_gemeente)))
        elif choice:
            level = area_data.level_of(choice[1])
            if level == "buurten":
                if st.query_params.get("buurt") != choice[1]:
                    select(choice[1])
                    st.rerun()
            else:
                column = "wijkcode" if level == "wijken" else "gemeentecode"
                buurten = area_data.layers["buurten"]
                members = buurten[buurten[column] == choice[1]].sort_values("buurtnaam")
                pick = st.selectbox(label("buurt_choose_in_wijk", name=choice[2].split(" (")[0]),
                                    members["buurtcode"].tolist(), index=None, key=f"in_{choice[1]}",
                                    placeholder=label("choose_option"),
                                    format_func=lambda c: area_data.name_of(c) or c)
                if pick and st.query_params.get("buurt") != pick:
                    select(pick)
                    st.rerun()

@st.cache_resource(show_spinner=False, max_entries=512)
def buurt_profile(generation: str, code: str, lang: str) -> bp.BuurtProfile | None:
    """A buurt's figures: once per cache generation, buurt and language, for all sessions (read only)."""
    return bp.buurt_profile(data(), code, lang)


code = st.query_params.get("buurt")
profile = buurt_profile(generation, code, lang) if code else None
if code and profile is None:
    st.warning(label("buurt_unknown", code=literal(code[:20])))

with st.expander(label("buurt_pick_map"), expanded=profile is None):
    scope = profile.gemeentecode if profile else "all"
    prepared = prepared_geometry("buurt", scope)

    def build_pick_map():
        properties = {
            c: {"code": c, "fill": "#2c7fb8" if profile and c == profile.code else "#c7e9b4",
                "tip": tooltip_html(area_data.name_of(c) or c, [area_data.row(c)["gemeentenaam"]])}
            for c in prepared.codes
        }
        pick_map = base_map(prepared.bounds, lang)
        choropleth_layer(prepared.collection(properties), label("level_buurt"), prepared.bounds).add_to(pick_map)
        return pick_map, None

    clicked = show_map(build_pick_map, ("pick", scope, profile.code if profile else "", lang), key=f"pick_{scope}",
                       height=420, returned_objects=["last_active_drawing"], render=False)
    picked = explorer.select_from_click(map_event(clicked, "last_active_drawing"), set(prepared.codes))
    if picked and picked != code:
        select(picked)
        st.rerun()
    attribution_caption()

if profile is None:
    st.stop()

# --- the profile --------------------------------------------------------------------------------------
st.header(profile.name)
st.write(label("buurt_lies_in", wijk=clean_wijk_name(profile.wijknaam), gemeente=profile.gemeentenaam))
groups = [domain.regions()[g] for g in domain.group_ids()]
if groups:
    st.write(label("buurt_in_parkstad" if profile.in_parkstad else "buurt_not_parkstad", name=groups[0].label(lang)))
programmes = programmes_by_area(initiatives())
if profile.areas:
    for area in profile.areas:
        # the Regio Deal is said in the line above: here the area's own programmes, each once
        names = "; ".join(area_programmes(area.area_id, area.gemeentecode, programmes, with_groups=False))
        st.write(label("buurt_in_area", area=area.name, programmes=names))
        if area.precision != "exact":
            st.caption(label(f"precision_{area.precision}"))
else:
    st.write(label("buurt_no_area"))

st.subheader(label("buurt_figures"))
benefit_trend = bp.benefit_trend(area_data, profile.code)
missing = [f for f in profile.figures if f.value is None]
for figure in (f for f in profile.figures if f.value is not None):
    ind = area_data.catalogue[figure.indicator_id]
    # with the year it describes (income) or its month (social assistance)
    source = ind.source(area_data.year, period_text(area_data.benefit_period, lang), lang)
    with st.container(border=True):
        wijk = clean_wijk_name(profile.wijknaam)
        shown = " ".join(x for x in (number(figure.value, ind.decimals, lang), ind.unit_in(lang)) if x)
        if figure.level == "buurt":
            st.markdown(f"**{literal(ind.label(lang))}**: {literal(shown)}")
        else:  # a resident must not read the wijk's figure as the buurt's: say so first
            st.markdown(f"**{literal(ind.label(lang))}**: {literal(label('buurt_no_figure'))}. "
                        f"{literal(label('buurt_wijk_figure', wijk=wijk, value=shown))}")
        if ind.kind != "count":
            rows = [(label("buurt_this") if figure.level == "buurt" else label("buurt_this_wijk"), figure.value),
                    (profile.gemeentenaam, figure.gemeente),
                    *((explorer.region_name(r, lang, short=True), v) for r, v in figure.regions.items())]
            bars = pd.DataFrame([{"area": a, "value": v, "text": number(v, ind.decimals, lang)}
                                 for a, v in rows if v is not None])
            keys = ["gemeente", *figure.regions]
            absent = [f"{a}: {figure.why.get(k, '')}" for (a, v), k in zip(rows[1:], keys, strict=True) if v is None]
            base = alt.Chart(bars).encode(y=alt.Y("area:N", sort=None, title=None, axis=alt.Axis(labelLimit=220)),
                                          x=alt.X("value:Q", title=ind.titled(lang)))
            chart = base.mark_bar(color="#2c7fb8") + base.mark_text(align="left", dx=4).encode(text="text:N")
            title = alt.TitleParams(label("buurt_chart_title", indicator=ind.label(lang)), anchor="start",
                                    fontSize=13)
            altair_chart(chart.properties(height=alt.Step(30), title=title), width="stretch")
            with st.expander(label("chart_as_table")):  # the chart's figures as text (WCAG 1.1.1)
                st.table(bars[["area", "text"]].rename(columns={"area": label("col_name"),
                                                                "text": ind.titled(lang)}).set_index(label("col_name")))
            if absent:
                st.caption(label("buurt_not_in_chart", items=literal("; ".join(absent))))
        st.caption(label("buurt_figure_source", source=source))
        if (len(area_data.years) < 2 and ind.dataset == f"cbs/{statline.BENEFIT_TABLE}"
                and benefit_trend is not None):  # one data year, but a quarterly series further down: say so
            st.caption(label("buurt_trend_below"))
        elif figure.level == "buurt":
            trend_chart(area_data, profile.code, figure.indicator_id, profile.name)
        else:
            trend_chart(area_data, profile.wijkcode, figure.indicator_id, wijk)
for figure in missing:
    reason = figure.why.get("area") or label("buurt_missing")
    st.markdown(f"**{literal(area_data.catalogue[figure.indicator_id].label(lang))}**: {literal(reason)}")

trend = benefit_trend
st.subheader(label("buurt_trend"))
if trend is None:
    st.caption(label("buurt_trend_none"))
else:
    level, series = trend
    if level == "wijk":
        st.caption(label("buurt_trend_wijk", wijk=clean_wijk_name(profile.wijknaam)))
    series = series.assign(month=[period_text(p, lang) for p in series["period"]])
    line = alt.Chart(series).mark_line(point=True, color="#2c7fb8").encode(
        x=alt.X("date:T", title=None), y=alt.Y("bijstand_pct:Q", title="%", axis=alt.Axis(format=".1f")),
        tooltip=[alt.Tooltip("month:N", title=label("buurt_trend_month")),
                 alt.Tooltip("bijstand_pct:Q", title="%", format=".1f"),
                 alt.Tooltip("bijstand_aantal:Q", title=label("buurt_trend_count"), format=",.0f")])
    altair_chart(line, width="stretch")
    with st.expander(label("chart_as_table")):  # the chart's figures as text (WCAG 1.1.1)
        st.table([{label("buurt_trend_month"): month, "%": number(pct, 1, lang) if pd.notna(pct) else "–",
                   label("buurt_trend_count"): number(count, 0, lang) if pd.notna(count) else "–"}
                  for month, pct, count in zip(series["month"], series["bijstand_pct"],
                                               series.get("bijstand_aantal", [None] * len(series)), strict=True)])
    st.caption(label("buurt_trend_source", first=series["month"].iloc[0], last=series["month"].iloc[-1]))

st.subheader(label("buurt_initiatives"))
nearby = bp.initiatives_near(area_data, initiatives(), profile.code)
if not nearby:
    st.caption(label("buurt_no_initiatives"))
themes = domain.themes()
for position, entry in enumerate(nearby):
    item = entry.initiative
    if position == 0 or nearby[position - 1].relation != entry.relation:  # a label above each group
        n = sum(1 for other in nearby if other.relation == entry.relation)
        st.markdown(f"**{literal(label('relation_group_' + entry.relation))}** ({n})")
    theme_names = ", ".join(themes[tid].label(lang) for tid in item.theme_ids if tid in themes)
    st.markdown(
        f"- **{literal(item.name)}** · {literal(theme_names)} · "
        f"{literal(label('status_' + item.status))} ({date_text(item.status_as_of, lang)}) · "
        f"[{literal(label('init_source'))}]({link_target(item.source_url)})"
    )

st.subheader(label("buurt_map"))


neighbours = bp.neighbours(area_data, profile.code)


def build_around_map():
    around = [profile.code, *neighbours]
    frame = area_data.layers["buurten"].set_index("buurtcode").loc[around]
    small = base_map(tuple(frame.total_bounds), lang)
    for buurt_code, row in frame.iterrows():
        own = buurt_code == profile.code
        folium.GeoJson(
            outline_collection([row.geometry]),
            style_function=lambda _, own=own: {"color": "#253494" if own else "#555555", "weight": 3 if own else 1,
                                               "fillColor": "#41b6c4" if own else MISSING_COLOUR,
                                               "fillOpacity": 0.5},
            tooltip=folium.Tooltip(escape_html(row["buurtnaam"])),
        ).add_to(small)
    return small, None


show_map(build_around_map, ("around", profile.code, lang), key=f"around_{profile.code}", height=360,
         returned_objects=[], render=False)
attribution_caption()
neighbour_names = [area_data.name_of(c) or c for c in neighbours]
st.caption(label("buurt_map_list", name=literal(profile.name),  # the map's content as text (WCAG 1.1.1)
                 neighbours=literal(", ".join(neighbour_names)) if neighbour_names else "–"))
st.caption(label("buurt_print"))
