"""The loaded cache as one object: layers with derived indicators, manifest, and look-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import cache, domain
from geo.aggregate import Aggregate, aggregate
from geo.indicators import Catalogue, catalogue
from geo.layers import LAYERS, LEVELS


@dataclass
class AreaData:
    manifest: dict
    layers: dict[str, gpd.GeoDataFrame]
    catalogue: Catalogue
    _index: dict[str, tuple[str, int]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: Path | None = None, cat: Catalogue | None = None) -> AreaData:
        cat = cat or catalogue()
        raw = cache.load_layers(directory)
        layers = {}
        for name, frame in raw.items():
            if name in LEVELS:
                frame = gpd.GeoDataFrame(cat.add_derived(frame), geometry="geometry", crs=frame.crs)
            layers[name] = frame
        data = cls(cache.read_manifest(directory), layers, cat)
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
