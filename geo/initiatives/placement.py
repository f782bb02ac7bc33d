"""Where an initiative goes on the map when it has no coordinates of its own.

Explicit coordinates win; else the representative point of its buurt (or of the union of its
buurten); else of its priority area; else of its single municipality. An initiative across several
municipalities without a narrower place is region-wide: listed and counted, not pinned.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import shapely

from geo.data import domain
from geo.data.area_data import AreaData
from geo.initiatives.schema import Initiative


@dataclass(frozen=True)
class Placement:
    basis: str  # "coordinates", "buurt", "area", "gemeente" or "region"
    lon: float | None = None
    lat: float | None = None

    @property
    def pinned(self) -> bool:
        return self.lon is not None


class Placer:
    """Places initiatives; a placement is remembered, since one page run asks for it several times
    (markers, table, export) and a union of buurten is not free."""

    def __init__(self, data: AreaData):
        self.data = data
        self._placed: dict[tuple, Placement] = {}

    @cached_property
    def _buurten(self) -> dict:
        frame = self.data.layers["buurten"]
        return dict(zip(frame["buurtcode"], frame.geometry.values, strict=True))

    @cached_property
    def _gemeenten(self) -> dict:
        frame = self.data.layers["gemeenten"]
        return dict(zip(frame["gemeentecode"], frame.geometry.values, strict=True))

    @cached_property
    def _areas(self) -> dict:
        return {
            area_id: shapely.union_all([self._buurten[c] for c in area.buurtcodes if c in self._buurten])
            for area_id, area in domain.priority_areas().items()
        }

    def place(self, initiative: Initiative) -> Placement:
        key = (initiative.lat, initiative.lon, tuple(initiative.buurtcodes), initiative.area_id,
               tuple(initiative.gemeentecodes))
        if key not in self._placed:
            self._placed[key] = self._place(initiative)
        return self._placed[key]

    def _place(self, initiative: Initiative) -> Placement:
        if initiative.lat is not None and initiative.lon is not None:
            return Placement("coordinates", float(initiative.lon), float(initiative.lat))
        buurten = [self._buurten[c] for c in initiative.buurtcodes if c in self._buurten]
        if buurten:
            return _at("buurt", shapely.union_all(buurten))
        area = self._areas.get(initiative.area_id or "")
        if area is not None and not area.is_empty:
            return _at("area", area)
        gemeenten = [c for c in initiative.gemeentecodes if c in self._gemeenten]
        if len(gemeenten) == 1:
            return _at("gemeente", self._gemeenten[gemeenten[0]])
        return Placement("region")


def _at(basis: str, geometry) -> Placement:
    point = geometry.representative_point()  # inside the shape, unlike a centroid of a crescent
    return Placement(basis, round(point.x, 6), round(point.y, 6))
