"""Priority areas (`/gebieden`): a Limburg map with the eight areas and a card per area."""

from __future__ import annotations

from urllib.parse import urlencode

import folium
import streamlit as st

from app_pages.common import (
    area_summaries,
    attribution_caption,
    compare_link,
    data,
    explorer_link,
    initiatives,
    show_map,
    tr,
)
from geo.data import domain
from geo.i18n import link_target, literal, number
from geo.initiatives.filters import area_programmes, per_area, programmes_by_area
from geo.maps.area_cards import card_figures
from geo.maps.choropleth import outline_collection
from geo.maps.leaflet import base_map, escape_html, outline_layer, tooltip_html

area_data = data()
lang = st.session_state.get("lang", "nl")


areas = area_summaries()
programmes = programmes_by_area(initiatives())
counts = per_area(initiatives())

st.title(tr("areas_title"))
st.write(tr("areas_intro"))



def build_map():
    province = area_data.layers["provincie"]
    fmap = base_map(tuple(province.total_bounds), lang)
    outline_layer(outline_collection(province.geometry.simplify(0.0002).values),
                  domain.regions()[domain.province_id()].label(lang), "#333333", 2).add_to(fmap)
    for summary in areas:
        name = summary.definition.name
        tip = tooltip_html(name, [summary.definition.gemeentenaam])
        folium.GeoJson(
            outline_collection([summary.geometry]),
            style_function=lambda _: {"color": "#b2182b", "weight": 2, "fillColor": "#ef8a62", "fillOpacity": 0.6},
            tooltip=folium.Tooltip(tip), name=escape_html(name),
        ).add_to(fmap)
        point = summary.geometry.representative_point()
        folium.CircleMarker([point.y, point.x], radius=7, color="#b2182b", fill=True, fill_opacity=0.9,
                            tooltip=folium.Tooltip(tip)).add_to(fmap)
    return fmap, None


show_map(build_map, ("areas", lang), key="areas_map", height=520, returned_objects=[])
attribution_caption()

columns = st.columns(2)
for index, summary in enumerate(areas):
    d = summary.definition
    with columns[index % 2].container(border=True):
        st.header(d.name)
        st.markdown(f"**{literal(tr('card_gemeente'))}:** {literal(d.gemeentenaam)}")
        names = area_programmes(d.area_id, d.gemeentecode, programmes)
        st.markdown(f"**{literal(tr('card_programmes'))}:** " + "; ".join(literal(p) for p in names))
        st.markdown(f"**{literal(tr('card_definition'))}:** {literal(tr('precision_' + d.precision))} "
                    f"{literal(d.definition_in(lang))}")
        st.markdown(f"**{literal(tr('card_source'))}:** [{literal(d.source_url)}]({link_target(d.source_url)})")
        figure = summary.figures.get("aantal_inwoners")
        if summary.inhabitants is not None:
            people = number(summary.inhabitants, 0, lang)
            if figure.basis == "wijken":
                people += f" ({tr('card_basis_wijken')})"
        elif d.precision == "coarse" and figure is not None and figure.aggregate.complete:
            people = tr("card_coarse_inhabitants", value=number(figure.aggregate.value, 0, lang))
        else:
            people = tr("card_unknown_inhabitants")
        st.markdown(f"**{literal(tr('card_inhabitants'))}:** {literal(people)}")
        km2 = number(summary.area_km2, 2, lang)
        buurten = ", ".join(area_data.name_of(code) or code for code in summary.buurten)
        st.markdown(f"**{literal(tr('card_area'))}:** {km2} km²")
        with st.expander(f"{tr('card_buurten')} ({len(summary.buurten)})"):
            st.markdown(literal(buurten))
        rows = card_figures(area_data, summary, lang)
        if rows:
            st.markdown(f"**{literal(tr('card_key_figures'))}**")
            st.dataframe(rows, hide_index=True, width="stretch")
        link = "./initiatieven?" + urlencode({"area": d.area_id, "lang": lang})
        st.markdown(f"**{literal(tr('card_initiatives'))}:** {counts[d.area_id]} · "
                    f"[{literal(tr('card_show_initiatives'))} →]({link})")
        st.markdown(f"[{literal(tr('card_open_map'))} →]({explorer_link(level='buurt', area=d.area_id, init=1)}) · "
                    f"[{literal(tr('compare_this'))} →]({compare_link(d.area_id, d.gemeentecode)})")
