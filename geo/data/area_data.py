"""The loaded cache as one object: layers with derived indicators, manifest, and look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.data import cache, domain
from geo.data.aggregate import Aggregate, aggregate
from geo.data.indicators import Catalogue, catalogue
from geo.data.layers import LAYERS, LEVELS

BENEFIT_COLUMNS = {"bijstand_aantal": "bijstand_kwartaal", "inwoners_15plus": "inwoners_15plus_kwartaal"}


def latest_benefits(table: pd.DataFrame | None) -> tuple[pd.DataFrame | None, str | None]:
    """Values of the most recent quarter for every area (missing where CBS suppressed them), and that quarter."""
    if table is None or table.empty or "date" not in table or not set(BENEFIT_COLUMNS) <= set(table.columns):
        return None, None
    last = table[table["date"] == table["date"].max()]
    values = last[["code", *BENEFIT_COLUMNS]].rename(columns=BENEFIT_COLUMNS).drop_duplicates("code")
    return values, str(last["period"].iloc[0])


@dataclass
class AreaData:
    manifest: dict
    layers: dict[str, gpd.GeoDataFrame]
    catalogue: Catalogue
    benefits: pd.DataFrame | None = None  # StatLine 85586NED: benefits per quarter, when the sync had it
    benefit_period: str | None = None  # the quarter the *_kwartaal indicators describe, e.g. 2024MM03
    _index: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: Path | None = None, cat: Catalogue | None = None) -> AreaData:
        cat = cat or catalogue()
        raw = cache.load_layers(directory)
        benefits = cache.load_table("85586NED", directory)
        latest, period = latest_benefits(benefits)
        layers = {}
        for name, frame in raw.items():
            if name in LEVELS:
                key = LAYERS[name].key
                if latest is not None:
                    frame = frame.merge(latest, how="left", left_on=key, right_on="code").drop(columns="code")
                frame = gpd.GeoDataFrame(cat.add_derived(frame), geometry="geometry", crs=raw[name].crs)
            layers[name] = frame
        data = cls(cache.read_manifest(directory), layers, cat, benefits, period)
        data._build_index()
        return data

    def _build_index(self) -> None:
        for level in LEVELS:
            key = LAYERS[level].key
            for position, code in enumerate(self.layers[level][key].tolist()):
                self._index[code] = (level, position)

    @property
    def year(self) -> int:
        return int(self.manifest["year"])

    def level_of(self, code: str) -> str | None:
        hit = self._index.get(code)
        return hit[0] if hit else None

    def row(self, code: str) -> pd.Series | None:
        hit = self._index.get(code)
        return self.layers[hit[0]].iloc[hit[1]] if hit else None

    def name_of(self, code: str) -> str | None:
        row = self.row(code)
        return None if row is None else str(row[LAYERS[self.level_of(code)].name_column])

    def gemeenten_of(self, codes: list[str]) -> gpd.GeoDataFrame:
        frame = self.layers["gemeenten"]
        return frame[frame["gemeentecode"].isin(codes)]

    def region_aggregate(self, region_id: str, indicator_id: str) -> Aggregate:
        """Parkstad or Limburg value of an indicator, aggregated from its municipalities."""
        members = self.gemeenten_of(domain.regions()[region_id].gemeentecodes)
        return aggregate(members, self.catalogue[indicator_id])
