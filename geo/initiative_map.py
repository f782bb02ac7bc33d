"""Initiatives as clustered map markers coloured by theme; every text from data is escaped here."""

from __future__ import annotations

import folium
from folium.plugins import MarkerCluster

from geo import domain
from geo.i18n import number, t
from geo.initiative_schema import Initiative
from geo.mapview import escape_html as escape
from geo.placement import Placer


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


def gemeente_properties(data, per_gemeente, codes: list[str], measure: str, lang: str):
    """Fill colour and tooltip per municipality for 'initiatives' or 'budget_per_inhabitant'."""
    import pandas as pd

    from geo.classify import classify
    from geo.mapview import tooltip_html

    counts = per_gemeente.set_index("gemeentecode") if len(per_gemeente) else pd.DataFrame()
    values, names = [], []
    for code in codes:
        row = data.row(code)
        names.append(str(row["gemeentenaam"]) if row is not None else code)
        count = float(counts.at[code, "initiatives"]) if code in counts.index else 0.0
        if measure == "initiatives":
            values.append(count)
        else:
            budget = float(counts.at[code, "budget_eur"]) if code in counts.index else 0.0
            inhabitants = row.get("aantal_inwoners") if row is not None else None
            values.append(budget / inhabitants if inhabitants and inhabitants > 0 else float("nan"))
    series = pd.Series(values, dtype="float64")
    classes = classify(series, "quantiles", 5)
    colours = classes.colours().to_numpy()
    label = t("init_per_area" if measure == "initiatives" else "init_budget_per_inhabitant", lang)
    properties = {}
    for i, code in enumerate(codes):
        decimals = 0 if measure == "initiatives" else 2
        text = number(values[i], decimals, lang) if values[i] == values[i] else t("legend_missing", lang)
        properties[code] = {"code": code, "fill": colours[i],
                            "tip": tooltip_html(names[i], [f"{label}: {text}"])}
    return properties, classes
