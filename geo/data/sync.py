"""Fetch every layer of every data year from a source, check it, and write the cache in one atomic step."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.data import cache, domain, leefbaarometer, national, statline
from geo.data.layers import FIRST_YEAR, LAYERS, LEVELS, Layer
from geo.data.normalize import MAX_VERTICES, cap_vertices, invalid_codes
from geo.data.pdok import SourceError
from geo.data.sources import Source

Progress = Callable[[str], None]
# the tables beside the boundaries that are not CBS StatLine tables: (short kind, name for visitors)
OTHER_TABLES = {leefbaarometer.TABLE: ("Leefbaarometer", "Leefbaarometer 3.0 (BZK)"),
                national.TABLE: ("national", "CBS Kerncijfers wijken en buurten, Nederland")}


def table_names(table: str) -> tuple[str, str]:
    """A cached table's kind (for `geo info`) and its name for visitors (for /over)."""
    return OTHER_TABLES.get(table, ("statline", f"CBS StatLine {table}"))


def fetch_layer(source: Source, layer: Layer, year: int, progress: Progress) -> gpd.GeoDataFrame:
    parts = []
    codes = layer.municipalities() if layer.per_municipality else [None]
    for index, code in enumerate(codes, start=1):
        frame = source.fetch(layer, year, code)
        if frame.empty:
            where = f" for {code}" if code else ""
            raise SourceError(f"{source.kind} source returned no {layer.name}{where} in {year}")
        label = code or layer.collection
        name = frame["gemeentenaam"].iloc[0] if code and "gemeentenaam" in frame else ""
        progress(f"{year} {layer.name:<9} {index:>2}/{len(codes)} {label} {name}: {len(frame)} features")
        parts.append(frame)
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs="EPSG:4326")
    bad = invalid_codes(frame, layer.key)
    if bad:
        shown = ", ".join(repr(code)[:40] for code in bad[:3])
        raise SourceError(f"{layer.name} {year}: {len(bad)} feature(s) with a code that is not a CBS code: {shown}")
    frame, simplified = cap_vertices(frame, layer.key)
    if simplified:
        progress(f"{year} {layer.name}: {len(simplified)} feature(s) had more than {MAX_VERTICES:,} points and "
                 f"were simplified: {', '.join(simplified[:5])}")
        logging.getLogger("geo.sync").warning("simplified %s %s with over %s points: %s", year, layer.name,
                                              MAX_VERTICES, ", ".join(simplified))
    duplicated = frame[layer.key][frame[layer.key].duplicated()].unique().tolist()
    if duplicated:
        raise SourceError(f"{layer.name} {year}: duplicate codes from the source: {', '.join(duplicated[:5])}")
    missing_geometry = frame[layer.key][frame.geometry.isna() | frame.geometry.is_empty].tolist()
    if missing_geometry:
        raise SourceError(f"{layer.name} {year}: no usable geometry for {', '.join(missing_geometry[:5])}")
    return frame.sort_values(layer.key).reset_index(drop=True)


def _fetch_table(source: Source, definition: statline.TableDefinition) -> pd.DataFrame:
    """Quarterly tables for the focus municipalities; annual ones also for every Limburg municipality as a
    whole, so that the province average stands on all of them."""
    if definition.frequency != "annual":
        return source.fetch_table(definition.table, domain.focus_codes())
    frame = source.fetch_table(definition.table, domain.limburg_codes())
    focus = {code[2:6] for code in domain.focus_codes()}
    keep = frame["code"].str.startswith("GM") | frame["code"].str[2:6].isin(focus)
    return frame[keep].reset_index(drop=True)


def resolve_years(source: Source, years: int | Iterable[int] | None) -> list[int]:
    """The years to fetch: the ones asked for (each must exist at the source), or all from FIRST_YEAR on."""
    available = source.available_years()
    if years is None:
        chosen = [y for y in available if y >= FIRST_YEAR] or available[-1:]
    else:
        chosen = sorted({int(years)} if isinstance(years, int) else {int(y) for y in years})
    if not chosen:
        raise SourceError(f"the {source.kind} source has no data year of CBS wijken en buurten")
    missing = [y for y in chosen if y not in available]
    if missing:
        have = ", ".join(map(str, available)) or "none"
        raise SourceError(f"the {source.kind} source has no data year {', '.join(map(str, missing))} "
                          f"(years present: {have}); nothing was synced")
    return chosen


def parse_years(text: str) -> list[int]:
    """`2019-2024`, `2022,2024` or `2024` as a list of years; ValueError with a message otherwise."""
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"not a year or range of years: {part!r} (use e.g. 2019-2024 or 2022,2024)")
        low, high = int(first), int(last or first)
        if not 1990 <= low <= high <= 2100:
            raise ValueError(f"not a range of data years: {part!r}")
        years.update(range(low, high + 1))
    return sorted(years)


def sync(
    source: Source,
    years: int | Iterable[int] | None = None,
    directory: Path | None = None,
    progress: Progress = lambda message: None,
    clean: bool = False,
) -> dict:
    """Fetch all layers of all years; only when every one is complete and valid does the cache change.

    Boundaries are all or nothing: a layer that cannot be fetched fails the sync and the previous cache
    stays. A StatLine table that cannot be fetched keeps its copy from the previous cache (with that copy's
    fetch date), so a passing outage of CBS never takes a trend away; `clean` drops such copies instead.
    """
    chosen = resolve_years(source, years)
    latest = chosen[-1]
    history = {year: {name: fetch_layer(source, LAYERS[name], year, progress) for name in LEVELS}
               for year in reversed(chosen)}
    layers = {**history[latest], "provincie": fetch_layer(source, LAYERS["provincie"], latest, progress)}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    tables, table_meta = {}, {}
    fetchers = {table: (lambda d=definition: _fetch_table(source, d))
                for table, definition in statline.table_definitions().items()}
    fetchers[leefbaarometer.TABLE] = lambda: leefbaarometer.for_region(
        source.fetch_leefbaarometer(), domain.limburg_codes(), domain.focus_codes())
    fetchers[national.TABLE] = lambda: source.fetch_national(chosen)
    for table, fetch in fetchers.items():
        try:
            tables[table] = fetch()
            table_meta[table] = {"fetched_at": now}
            progress(f"table     {table}: {len(tables[table])} rows")
        except SourceError as exc:  # figures beside the boundaries are a bonus: the cache is still complete
            kept = None if clean else _previous_table(table, directory)
            if kept is None:
                table_meta[table] = {"rows": 0, "unavailable": str(exc)}
                progress(f"table     {table}: not available ({exc})")
            else:
                tables[table], fetched_at = kept
                table_meta[table] = {"fetched_at": fetched_at, "kept": True, "unavailable": str(exc)}
                progress(f"table     {table}: not available ({exc}); keeping the copy fetched {fetched_at}")
    meta = {"source": source.location, "source_kind": source.kind, "year": int(latest), "tables": table_meta}
    older = {year: frames for year, frames in history.items() if year != latest}
    return cache.write_generation(layers, meta, directory, tables, older)


def _previous_table(name: str, directory: Path | None) -> tuple[pd.DataFrame, str] | None:
    """The table as the current cache has it, with the date it was fetched; None if it has none."""
    try:
        manifest = cache.read_manifest(directory)
    except cache.CacheMissing:
        return None
    info = (manifest.get("tables") or {}).get(name) or {}
    frame = cache.load_table(name, directory)
    if frame is None:
        return None
    return frame, info.get("fetched_at") or manifest.get("fetched_at") or "?"
