"""Fetch every layer from a source, check it, and write the cache in one atomic step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.config import DEFAULT_YEAR
from geo.data import cache, domain
from geo.data.layers import LAYERS, STATLINE_TABLES, Layer
from geo.data.pdok import SourceError
from geo.data.sources import Source

Progress = Callable[[str], None]


def fetch_layer(source: Source, layer: Layer, year: int, progress: Progress) -> gpd.GeoDataFrame:
    parts = []
    codes = layer.municipalities() if layer.per_municipality else [None]
    for index, code in enumerate(codes, start=1):
        frame = source.fetch(layer, year, code)
        if frame.empty:
            where = f" for {code}" if code else ""
            raise SourceError(f"{source.location} returned no {layer.name}{where} in {year}")
        label = code or layer.collection
        name = frame["gemeentenaam"].iloc[0] if code and "gemeentenaam" in frame else ""
        progress(f"{layer.name:<9} {index:>2}/{len(codes)} {label} {name}: {len(frame)} features")
        parts.append(frame)
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    duplicated = frame[layer.key][frame[layer.key].duplicated()].unique().tolist()
    if duplicated:
        raise SourceError(f"{layer.name}: duplicate codes from {source.location}: {', '.join(duplicated[:5])}")
    missing_geometry = frame[layer.key][frame.geometry.isna() | frame.geometry.is_empty].tolist()
    if missing_geometry:
        raise SourceError(f"{layer.name}: no usable geometry for {', '.join(missing_geometry[:5])}")
    return frame.sort_values(layer.key).reset_index(drop=True)


def sync(
    source: Source,
    year: int = DEFAULT_YEAR,
    directory: Path | None = None,
    progress: Progress = lambda message: None,
) -> dict:
    """Fetch all layers; only when every one is complete and valid does the cache change."""
    layers = {name: fetch_layer(source, layer, year, progress) for name, layer in LAYERS.items()}
    tables, unavailable = {}, {}
    for table in STATLINE_TABLES:
        try:
            tables[table] = source.fetch_table(table, domain.focus_codes())
            progress(f"statline  {table}: {len(tables[table])} rows")
        except SourceError as exc:  # trends are a bonus: the boundaries still make a complete cache
            unavailable[table] = {"rows": 0, "unavailable": str(exc)}
            progress(f"statline  {table}: not available ({exc})")
    meta = {"source": source.location, "source_kind": source.kind, "year": int(year), "tables": unavailable}
    return cache.write_generation(layers, meta, directory, tables)
