"""Turn raw features from any source into clean GeoDataFrames.

- property names: camelCase (WFS, some years) to snake_case, then year aliases from
  data/property_aliases.csv, so the rest of the app sees one name per concept;
- CBS sentinels (-99997, -99995, ...; anything <= -99990) become missing; which column of which row had
  which code is kept as JSON in SENTINEL_COLUMN, so that an empty cell can say what CBS said of it
  (-99997 secret or not present, -99995 published in a later version, -99991 no longer published at
  this level: CBS, Toelichting Wijk- en Buurtkaart 2022, 2023 en 2024, chapter 3);
- invalid geometry is repaired and only polygonal parts kept;
- output is EPSG:4326.
"""

from __future__ import annotations

import csv
import json
import re
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from geo.config import DEFINITIONS_DIR

SENTINEL_MAX = -99990
SENTINEL_COLUMN = "cbs_sentinels"  # per row: {"column": sentinel code} where the source gave a code
_CAMEL_1 = re.compile(r"([a-z])([A-Z0-9])")
_CAMEL_2 = re.compile(r"([0-9])([A-Za-z])")
_CAMEL_3 = re.compile(r"([A-Z]+)([A-Z][a-z])")
# text columns that look numeric but must stay text
TEXT_COLUMNS = {
    "gemeentecode", "wijkcode", "buurtcode", "gemeentenaam", "wijknaam", "buurtnaam", "water",
    "code", "naam", "identificatie", "meest_voorkomende_postcode", "jaarstatcode",
    "indelingswijziging_wijken_en_buurten", "dekkingspercentage", SENTINEL_COLUMN,
}


def snake_case(name: str) -> str:
    if name == name.lower():
        return name
    s = _CAMEL_3.sub(r"\1_\2", name)
    s = _CAMEL_1.sub(r"\1_\2", s)
    s = _CAMEL_2.sub(r"\1_\2", s)
    s = re.sub(r"_+", "_", s).lower()
    return re.sub(r"km_2\b", "km2", s)  # "per km²" is written km2 in PDOK names


@lru_cache(maxsize=4)
def property_aliases(directory: Path = DEFINITIONS_DIR) -> dict[str, str]:
    with open(directory / "property_aliases.csv", newline="", encoding="utf-8") as fh:
        return {row["alias"]: row["canonical"] for row in csv.DictReader(fh)}


def canonical_name(name: str) -> str:
    snake = snake_case(name)
    return property_aliases().get(snake, snake)


def features_to_frame(features: list[dict], crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """Raw GeoJSON features (any CRS, any naming) to a clean EPSG:4326 GeoDataFrame."""
    rows, geoms = [], []
    for feature in features:
        if not isinstance(feature, dict):
            continue
        rows.append(feature.get("properties") or {})
        geometry = feature.get("geometry")
        try:
            geoms.append(shape(geometry) if geometry else None)
        except (AttributeError, TypeError, ValueError, shapely.errors.GEOSException):
            geoms.append(None)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)
    return clean_frame(frame)


def clean_frame(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = frame.rename(columns={c: canonical_name(c) for c in frame.columns if c != "geometry"})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    sentinels: dict[int, dict[str, int]] = {}
    for column in frame.columns:
        if column == "geometry":
            continue
        if column in TEXT_COLUMNS:
            frame[column] = frame[column].astype("string").str.strip()
            continue
        numeric = pd.to_numeric(frame[column], errors="coerce")
        original_present = frame[column].notna() & (frame[column].astype("string").str.strip() != "")
        if numeric[original_present].notna().all():  # a genuinely numeric column
            coded = numeric <= SENTINEL_MAX
            for position in coded.to_numpy().nonzero()[0]:
                sentinels.setdefault(int(position), {})[column] = int(numeric.iloc[position])
            frame[column] = numeric.astype("float64").mask(coded)
    if SENTINEL_COLUMN not in frame.columns or sentinels:
        frame[SENTINEL_COLUMN] = pd.array([json.dumps(sentinels[i], sort_keys=True) if i in sentinels else None
                                           for i in range(len(frame))], dtype="string")
    frame = frame.set_geometry(repair_geometry(frame.geometry))
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    return frame


def repair_geometry(geoms: gpd.GeoSeries) -> gpd.GeoSeries:
    """make_valid invalid shapes and keep their polygonal parts (lines/points from repair are noise)."""
    values = geoms.values
    invalid = ~shapely.is_valid(values) & ~shapely.is_missing(values)
    if invalid.any():
        fixed = shapely.make_valid(values[invalid])
        values = values.copy()
        values[invalid] = [_polygonal(g) for g in fixed]
    return gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)


def _polygonal(geom):
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


MAX_VERTICES = 100_000  # per feature; PDOK's most detailed municipal outlines have some tens of thousands
CODE_PATTERNS = {"gemeentecode": re.compile(r"^GM\d{4}$"), "wijkcode": re.compile(r"^WK\d{6}$"),
                 "buurtcode": re.compile(r"^BU\d{8}$")}


def invalid_codes(frame: pd.DataFrame, key: str) -> list[str]:
    """Codes that are not of the form CBS gives (GM0917, WK091710, BU09171000): never stored."""
    pattern = CODE_PATTERNS.get(key)
    if pattern is None or key not in frame.columns:
        return []
    values = frame[key].astype("string").fillna("")
    return values[~values.str.fullmatch(pattern.pattern)].tolist()


def cap_vertices(frame: gpd.GeoDataFrame, key: str, limit: int | None = None) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Features with more than `limit` points simplified (in metres, doubling the tolerance from 1 m) until they
    fit, so that one absurd polygon cannot make every map slow; returns the codes that were simplified."""
    limit = limit or MAX_VERTICES
    counts = shapely.get_num_coordinates(frame.geometry.values)
    heavy = counts > limit
    if not heavy.any():
        return frame, []
    frame = frame.copy()
    projected = frame.loc[heavy, "geometry"].to_crs("EPSG:28992")
    simplified = []
    for geom in projected.values:
        tolerance = 1.0
        while shapely.get_num_coordinates(geom) > limit and tolerance < 100_000:
            geom = shapely.simplify(geom, tolerance, preserve_topology=True)
            tolerance *= 2
        simplified.append(geom)
    frame.loc[heavy, "geometry"] = gpd.GeoSeries(simplified, index=projected.index, crs="EPSG:28992").to_crs(
        frame.crs).values
    return frame, frame.loc[heavy, key].astype(str).tolist()
