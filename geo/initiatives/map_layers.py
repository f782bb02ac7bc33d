"""Initiatives as clustered map markers coloured by theme; every text from data is escaped here."""

from __future__ import annotations

import folium
import pandas as pd
from folium.plugins import MarkerCluster

from geo.data import domain
from geo.i18n import number, t
from geo.initiatives.filters import MEASURE_DECIMALS, MEASURES
from geo.initiatives.placement import Placer
from geo.initiatives.schema import Initiative
from geo.maps.choropleth import class_legend
from geo.maps.classify import Classification, classify
from geo.maps.leaflet import escape_html as escape
from geo.maps.leaflet import tooltip_html


def popup_html(item: Initiative, lang: str) -> str:
    themes = ", ".join(domain.themes()[tid].label(lang) for tid in item.theme_ids if tid in domain.themes())
    budget = (f"<br>{escape(t('init_budget', lang))}: € {escape(number(item.budget_eur, 0, lang))}"
              if item.budget_eur is not None else "")
    return (
        f"<b>{escape(item.name)}</b><br>{escape(item.programme)}"
        f"<br>{escape(t('init_themes', lang))}: {escape(themes)}"
        f"<br>{escape(t('init_status', lang))}: {escape(t('status_' + item.status, lang))} ({item.status_as_of})"
        f"{budget}"
        f'<br><a href="{escape(item.source_url)}" target="_blank" rel="noopener noreferrer">'
        f"{escape(t('init_source', lang))}</a>"
    )


def marker_layer(items: list[Initiative], placer: Placer, lang: str, name: str) -> tuple[folium.FeatureGroup, int]:
    """A toggleable, clustered layer; returns it with the number of pinned initiatives."""
    group = folium.FeatureGroup(name=name, show=True)
    cluster = MarkerCluster(options={"showCoverageOnHover": False, "maxClusterRadius": 40}).add_to(group)
    pinned = 0
    for item in items:
        place = placer.place(item)
        if not place.pinned:
            continue
        theme = domain.themes().get(item.theme_ids[0]) if item.theme_ids else None
        colour = theme.colour if theme else "#555555"
        folium.CircleMarker(
            [place.lat, place.lon], radius=8, color="#222222", weight=1, fill=True, fill_color=colour,
            fill_opacity=0.95, tooltip=folium.Tooltip(escape(item.name)),
            popup=folium.Popup(popup_html(item, lang), max_width=320),
        ).add_to(cluster)
        pinned += 1
    return group, pinned


def gemeente_properties(action: pd.DataFrame, measure: str, lang: str) -> tuple[dict[str, dict], Classification]:
    """Fill colour and tooltip per municipality for a measure of `action_per_gemeente`."""
    values = pd.to_numeric(action[measure], errors="coerce").astype("float64").reset_index(drop=True)
    classes = classify(values, "quantiles", 5)
    colours = classes.colours().to_numpy()
    label = t(MEASURES[measure], lang)
    decimals = MEASURE_DECIMALS[measure]
    properties = {}
    for i, (code, name) in enumerate(zip(action["gemeentecode"], action["name"], strict=True)):
        text = t("init_measure_unknown", lang) if pd.isna(values[i]) else number(values[i], decimals, lang)
        properties[code] = {"code": code, "fill": colours[i], "tip": tooltip_html(name, [f"{label}: {text}"])}
    return properties, classes


def action_legend(classes: Classification, measure: str, lang: str, count: int) -> list[dict]:
    """Legend rows for the per-municipality map; with no initiatives in the selection one plain row says so
    (rather than a class "0" holding every municipality)."""
    if count == 0:
        n = sum(c.count for c in classes.classes)
        return [{"colour": "#f7f7f7", "label": t("init_legend_none", lang), "count": n, "missing": False}]
    return class_legend(classes, MEASURE_DECIMALS[measure], lang, missing_label=t("init_measure_unknown", lang))


def theme_legend_html(items: list[Initiative], lang: str) -> str:
    """Swatches of the themes the markers use (colour of each initiative's first theme); "" when none."""
    themes = domain.themes()
    used = [tid for tid in themes if any(item.theme_ids and item.theme_ids[0] == tid for item in items)]
    return "".join(
        f'<span style="display:inline-block;margin-right:14px"><span style="display:inline-block;width:12px;'
        f'height:12px;border-radius:6px;border:1px solid #222;forced-color-adjust:none;'
        f'background:{escape(themes[tid].colour)}"></span> '
        f"{escape(themes[tid].label(lang))}</span>" for tid in used
    )
