"""What the explorer map shows: prepared geometry per level and scope, colours, legend, tooltips."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.config import ATTRIBUTION
from geo.data import domain
from geo.data.area_data import AreaData
from geo.data.indicators import Indicator
from geo.data.layers import LAYERS
from geo.i18n import number, period_text, t
from geo.maps.areas import area_geometries
from geo.maps.classify import Classification, classify
from geo.maps.explorer import (
    LEVELS,
    View,
    missing_reasons,
    reference_label,
    scope_frame,
    scope_table,
    shown_column,
)
from geo.maps.leaflet import DECIMALS, RD_NEW, simplify_coverage, tooltip_html
from geo.maps.missing import Missing

MIN_TOLERANCE, MAX_TOLERANCE = 3.0, 60.0


@dataclass(frozen=True)
class PreparedGeometry:
    """Simplified geometry of one level and scope, built once and shared by every indicator."""

    codes: list[str]
    geometries: list[dict]  # GeoJSON geometry objects, in the order of `codes`
    bounds: tuple[float, float, float, float]
    tolerance: float  # metres

    def collection(self, properties: dict[str, dict]) -> dict:
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": properties[code], "geometry": geom}
                for code, geom in zip(self.codes, self.geometries, strict=True)
                if code in properties
            ],
        }


def screen_tolerance(bounds_rd: tuple[float, float, float, float]) -> float:
    """About one screen pixel, in metres, when the scope fills a map some 1,000 pixels wide."""
    minx, miny, maxx, maxy = bounds_rd
    return float(min(max(max(maxx - minx, maxy - miny) / 1000, MIN_TOLERANCE), MAX_TOLERANCE))


def prepare_geometry(data: AreaData, level: str, area: str) -> PreparedGeometry:
    """Coverage-simplified geometry of the whole level (so neighbours keep shared borders), then the scope."""
    layer = data.layers[LEVELS[level]]
    key = LAYERS[LEVELS[level]].key
    in_scope = set(scope_frame(data, level, area)[key])
    mask = layer[key].isin(in_scope).to_numpy()
    tolerance = screen_tolerance(tuple(layer[mask].to_crs(RD_NEW).total_bounds))
    geoms = simplify_coverage(layer, tolerance)[mask]
    return PreparedGeometry(
        codes=layer.loc[mask, key].astype(str).tolist(),
        geometries=[json.loads(shapely.to_geojson(g)) for g in geoms.values],
        bounds=tuple(float(b) for b in geoms.total_bounds),
        tolerance=tolerance,
    )


def outline_collection(geometry) -> dict:
    """Outlines as compact GeoJSON, rounded like the choropleth."""
    features = []
    for geom in geometry:
        if geom is None or geom.is_empty:
            continue
        geom = shapely.set_precision(geom, 10 ** -DECIMALS)
        features.append({"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(geom))})
    return {"type": "FeatureCollection", "features": features}


def area_outlines(data: AreaData) -> dict:
    """The priority areas' outlines as map features."""
    return outline_collection(area_geometries(data))


def gemeente_outlines(data: AreaData) -> dict:
    gemeenten = data.layers["gemeenten"]
    lines = simplify_coverage(gemeenten[gemeenten["gemeentecode"].isin(domain.focus_codes())], MIN_TOLERANCE * 5)
    return outline_collection(lines.values)


@dataclass
class Choropleth:
    indicator: Indicator
    shown: pd.Series  # the mapped value (or difference) per code
    classification: Classification
    properties: dict[str, dict]  # per code: what the map feature carries
    diverging: bool
    missing: dict[str, Missing]  # per code without a mapped value: why


def format_value(value: float | None, indicator: Indicator, lang: str, signed: bool = False) -> str:
    if value is None or pd.isna(value):
        return t("legend_missing", lang)
    return _bound(value, indicator.decimals, lang, signed)


def build_choropleth(data: AreaData, view: View) -> Choropleth:
    indicator = data.catalogue[view.indicator]
    table = scope_table(data, view)
    compared = "difference" in table
    changing = "change" in table
    shown = table[shown_column(table)]
    classification = classify(shown, view.scheme, view.classes, diverging=compared or changing)
    colours = classification.colours().to_numpy()
    lang = view.lang
    label = indicator.label(lang)
    ref_label = reference_label(view.ref, lang) if compared else None
    year = view.year or data.year
    source = t("tooltip_source", lang, source=ATTRIBUTION, year=year)
    if indicator.dataset != "cbs/wijken-en-buurten":
        source = indicator.source(year, period_text(data.for_year(year).benefit_period, lang), lang)
    missing = missing_reasons(data, view, table, lang)
    missing_text = t("legend_missing", lang)
    properties = {}
    for i, row in enumerate(table.itertuples(index=False)):
        title = row.name if view.level == "gemeente" else f"{row.name} ({row.gemeente})"
        if np.isnan(row.value):
            why = missing.get(row.code)
            lines = [f"{label}: {why.text(lang) if why else missing_text}"]
        else:
            named = indicator.value_label(row.value, lang)  # a class: its name (Leefbaarometer 6 "ruim voldoende")
            shown_value = number(row.value, indicator.decimals, lang) + (f" ({named})" if named else "")
            lines = [f"{label}: {shown_value} {indicator.unit_in(lang)}".rstrip()]
            if compared and not np.isnan(row.difference):
                lines.append(t("tooltip_difference", lang, ref=ref_label,
                               value=format_value(row.difference, indicator, lang, signed=True)))
        if changing:
            key = "tooltip_change_gap" if compared else "tooltip_change"
            change = (missing[row.code].text(lang) if np.isnan(row.change) and row.code in missing
                      else format_value(row.change, indicator, lang, signed=True))
            lines.append(t(key, lang, since=view.change, ref=ref_label, value=change))
            if row.changed:
                lines.append(t("tooltip_boundary_changed", lang, since=view.change))
        lines.append(source)
        properties[row.code] = {"code": row.code, "fill": colours[i], "tip": tooltip_html(title, lines)}
    return Choropleth(indicator, pd.Series(shown.to_numpy(), index=table["code"].to_numpy()), classification,
                      properties, compared or changing, missing)


def legend_rows(choropleth: Choropleth, lang: str) -> list[dict]:
    return class_legend(choropleth.classification, choropleth.indicator.decimals, lang, signed=choropleth.diverging)


def class_legend(classification: Classification, decimals: int, lang: str, signed: bool = False,
                 missing_label: str | None = None) -> list[dict]:
    """Legend entries: colour, label (class bounds, or the missing-data explanation) and count."""
    rows = []
    whole = classification.whole and decimals == 0
    for index, cls in enumerate(classification.classes):
        if cls.missing:
            label = missing_label or t("legend_missing", lang)
        elif whole:  # whole numbers: a class holds (previous upper, upper], so it starts one above
            lower = math.ceil(cls.lower) if index == 0 else math.floor(cls.lower) + 1
            upper = math.floor(cls.upper)
            low, high = (_bound(v, 0, lang, signed) for v in (min(lower, upper), upper))
            label = low if low == high else f"{low}–{high}"
        else:
            low, high = (_bound(v, decimals, lang, signed) for v in (cls.lower, cls.upper))
            label = low if low == high else f"{low} – {high}"
        rows.append({"colour": cls.colour, "label": label, "count": cls.count, "missing": cls.missing})
    return rows


def _bound(value: float, decimals: int, lang: str, signed: bool) -> str:
    text = number(value, decimals, lang)
    return f"+{text}" if signed and value > 0 else text
