"""The loaded cache as one object: layers with derived indicators, manifest, look-ups, and earlier data years."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.data import cache, domain, leefbaarometer, national, statline
from geo.data.aggregate import Aggregate, aggregate
from geo.data.indicators import Catalogue, catalogue, reconcile_measures
from geo.data.layers import LAYERS, LEVELS

BENEFIT_COLUMNS = {"bijstand_aantal": "bijstand_kwartaal", "inwoners_15plus": "inwoners_15plus_kwartaal"}
BREAK_COLUMN = "indelingswijziging_wijken_en_buurten"  # CBS: 1 = code and boundary as the year before


def latest_benefits(table: pd.DataFrame | None, year: int | None = None) -> tuple[pd.DataFrame | None, str | None]:
    """Values of the most recent quarter (of `year`, if given) for every area, and that quarter."""
    if table is None or table.empty or "date" not in table or not set(BENEFIT_COLUMNS) <= set(table.columns):
        return None, None
    if year is not None:
        table = table[table["date"].dt.year == year]
        if table.empty:
            return None, None
    last = table[table["date"] == table["date"].max()]
    values = last[["code", *BENEFIT_COLUMNS]].rename(columns=BENEFIT_COLUMNS).drop_duplicates("code")
    return values, str(last["period"].iloc[0])


def boundary_changed(frame: pd.DataFrame) -> pd.Series:
    """Per row, whether CBS flags its code or boundary as changed since the year before (BREAK_COLUMN set and not
    1); all False where the layer has no such column."""
    if BREAK_COLUMN not in frame.columns:
        return pd.Series(False, index=frame.index)
    flags = pd.to_numeric(frame[BREAK_COLUMN], errors="coerce")
    return flags.notna() & (flags != 1)


@dataclass
class AreaData:
    manifest: dict
    layers: dict[str, gpd.GeoDataFrame]
    catalogue: Catalogue
    benefits: pd.DataFrame | None = None  # StatLine 85586NED: benefits per quarter, when the sync had it
    benefit_period: str | None = None  # the quarter the *_kwartaal indicators describe, e.g. 2024MM03
    annual: dict[str, pd.DataFrame] = field(default_factory=dict)  # annual StatLine tables by id
    national_rows: pd.DataFrame | None = None  # CBS's figures for the Netherlands, one row per data year
    directory: Path | None = None
    _index: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)
    _years: dict[int, AreaData] = field(default_factory=dict, repr=False)
    _aggregates: dict[tuple[str, str], Aggregate] = field(default_factory=dict, repr=False)  # computed once
    _members: dict[tuple[str, tuple[str, ...]], gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: Path | None = None, cat: Catalogue | None = None) -> AreaData:
        cat = cat or catalogue()
        raw = cache.load_layers(directory)
        manifest = cache.read_manifest(directory)
        benefits = cache.load_table("85586NED", directory)
        annual = {}
        annual_tables = [t for t, d in statline.table_definitions().items() if d.frequency == "annual"]
        for table in (*annual_tables, leefbaarometer.TABLE):  # tables with one value per code and year
            frame = cache.load_table(table, directory)
            if frame is not None:
                annual[table] = frame
        data = cls(manifest, {}, cat, benefits, None, annual, cache.load_table(national.TABLE, directory), directory)
        data.layers = {name: (data._enrich(frame, int(manifest["year"])) if name in LEVELS else frame)
                       for name, frame in raw.items()}
        data.benefit_period = latest_benefits(benefits, int(manifest["year"]))[1] or latest_benefits(benefits)[1]
        data._build_index()
        return data

    def _enrich(self, frame: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
        """Add the StatLine figures of `year` and every derived indicator to one layer."""
        key = next(c for c in ("buurtcode", "wijkcode", "gemeentecode") if c in frame.columns)
        crs = frame.crs
        frame = reconcile_measures(frame)
        latest, _ = latest_benefits(self.benefits, year)
        extras = [latest] if latest is not None else []
        extras += [statline.annual_values(table, year) for table in self.annual.values()]
        for extra in extras:
            if extra is not None and len(extra.columns) > 1:
                extra = extra.drop(columns=[c for c in extra.columns if c in frame.columns and c != "code"])
                frame = frame.merge(extra, how="left", left_on=key, right_on="code").drop(columns="code")
        return gpd.GeoDataFrame(self.catalogue.add_derived(frame), geometry="geometry", crs=crs)

    def _build_index(self) -> None:
        for level in LEVELS:
            key = LAYERS[level].key
            for position, code in enumerate(self.layers[level][key].tolist()):
                self._index[code] = (level, position)

    @property
    def year(self) -> int:
        return int(self.manifest["year"])

    @property
    def years(self) -> list[int]:
        """The data years in the cache, oldest first (a cache from before multi-year syncs has one)."""
        return [int(y) for y in self.manifest.get("years") or [self.year]]

    def for_year(self, year: int) -> AreaData:
        """The same cache as it stood in an earlier data year (the latest year is this object itself)."""
        if year == self.year:
            return self
        if year not in self.years:
            raise KeyError(f"no data year {year} in the cache (years: {', '.join(map(str, self.years))})")
        if year not in self._years:
            layers = dict(self.layers)
            for name in LEVELS:
                frame = cache.load_year(year, self.layers[name], name, self.directory)
                layers[name] = self._enrich(gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326"), year)
            older = replace(self, manifest={**self.manifest, "year": year}, layers=layers,
                            benefit_period=latest_benefits(self.benefits, year)[1], _index={}, _years={},
                            _aggregates={}, _members={})
            older._build_index()
            self._years[year] = older
        return self._years[year]

    def boundary_changes(self, layer: str, since: int, until: int) -> set[str]:
        """Codes of `layer` whose code or boundary CBS flags as changed in a year after `since` up to `until`."""
        changed: set[str] = set()
        key = LAYERS[layer].key
        for year in self.years:
            if since < year <= until:
                frame = self.for_year(year).layers[layer]
                changed |= set(frame.loc[boundary_changed(frame), key])
        return changed

    def level_of(self, code: str) -> str | None:
        hit = self._index.get(code)
        return hit[0] if hit else None

    def row(self, code: str) -> pd.Series | None:
        hit = self._index.get(code)
        return self.layers[hit[0]].iloc[hit[1]] if hit else None

    def name_of(self, code: str) -> str | None:
        row = self.row(code)
        return None if row is None else str(row[LAYERS[self.level_of(code)].name_column])

    def members(self, layer: str, codes: list[str] | tuple[str, ...]) -> gpd.GeoDataFrame:
        """The rows of `layer` whose code is one of `codes`, in layer order; kept once asked (read only): a
        priority area asks for the same few buurten once per indicator and year."""
        key = (layer, tuple(codes))
        if key not in self._members:  # the cache's layers never change once loaded
            frame = self.layers[layer]
            self._members[key] = frame[frame[LAYERS[layer].key].isin(key[1])]
        return self._members[key]

    def gemeenten_of(self, codes: list[str]) -> gpd.GeoDataFrame:
        frame = self.layers["gemeenten"]
        return frame[frame["gemeentecode"].isin(codes)]

    def region_aggregate(self, region_id: str, indicator_id: str) -> Aggregate:
        """Parkstad or Limburg value of an indicator, aggregated from its municipalities; for the Netherlands
        the figure CBS publishes."""
        key = (region_id, indicator_id)
        if key not in self._aggregates:  # the cache's layers never change once loaded
            if region_id == national.REFERENCE:
                self._aggregates[key] = self.national_figure(indicator_id)
            else:
                members = self.gemeenten_of(domain.regions()[region_id].gemeentecodes)
                self._aggregates[key] = aggregate(members, self.catalogue[indicator_id])
        return self._aggregates[key]

    @property
    def has_national(self) -> bool:
        """Whether the cache holds CBS's national figures for any data year."""
        return self.national_rows is not None and not self.national_rows.empty

    def national_figure(self, indicator_id: str) -> Aggregate:
        """CBS's national figure of this data year (derived indicators computed from national inputs)."""
        if not self.has_national or indicator_id not in self.catalogue:
            return Aggregate(None, 1, 0, published=True)
        row = self.national_rows[self.national_rows["period"] == f"{self.year}JJ00"]
        if row.empty:
            return Aggregate(None, 1, 0, published=True)
        values = self.catalogue.add_derived(row.drop(columns=["code", "period", "date"]).reset_index(drop=True))
        value = pd.to_numeric(values.get(indicator_id, pd.Series([None])), errors="coerce").iloc[0]
        if pd.isna(value):
            return Aggregate(None, 1, 0, published=True)
        return Aggregate(float(value), 1, 1, published=True)
