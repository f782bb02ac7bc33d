"""The eight priority areas as geometry plus figures, built from their buurt codes.

Buurt figures come first. Where buurten lack a value but the area is exactly a set of whole wijken
(Kerkrade-Oost is wijk WK092801, for instance), the wijk figures give the same total, so those are
used and the result says so (`basis`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geo.data import domain
from geo.data.aggregate import Aggregate, aggregate
from geo.data.area_data import AreaData
from geo.data.domain import PriorityArea
from geo.data.indicators import Indicator

RD_NEW = "EPSG:28992"  # metric CRS for areas in the Netherlands


@dataclass
class AreaFigure:
    aggregate: Aggregate
    basis: str  # "buurten" or "wijken"


@dataclass
class AreaSummary:
    definition: PriorityArea
    buurten: list[str]  # member codes found in the boundary data
    unknown_buurten: list[str]  # codes in the definition that the data does not have
    geometry: object
    area_km2: float | None
    area_source: str  # "cbs" (sum of CBS surface areas) or "geometry"
    figures: dict[str, AreaFigure] = field(default_factory=dict)

    @property
    def area_id(self) -> str:
        return self.definition.area_id

    def value(self, indicator_id: str) -> float | None:
        figure = self.figures.get(indicator_id)
        return figure.aggregate.value if figure else None

    @property
    def inhabitants(self) -> int | None:
        """Inhabitants of the area, when every member has a count and the area is not 'coarse'."""
        figure = self.figures.get("aantal_inwoners")
        if self.definition.precision == "coarse" or figure is None or not figure.aggregate.complete:
            return None
        return int(round(figure.aggregate.value))

    def as_json(self, data: AreaData) -> dict:
        d = self.definition
        members = data.layers["buurten"].set_index("buurtcode").loc[self.buurten, "buurtnaam"]
        return {
            "area_id": d.area_id,
            "name": d.name,
            "gemeentecode": d.gemeentecode,
            "gemeentenaam": d.gemeentenaam,
            "buurten": self.buurten,
            "buurt_names": members.tolist(),
            "unknown_buurten": self.unknown_buurten,
            "area_km2": None if self.area_km2 is None else round(self.area_km2, 2),
            "area_source": self.area_source,
            "inhabitants": self.inhabitants,
            "precision": d.precision,
            "definition": d.definition,
            "source_url": d.source_url,
            "indicators": {
                key: {**f.aggregate.as_dict(), "basis": f.basis}
                for key, f in self.figures.items()
                if f.aggregate.value is not None
            },
        }


def whole_wijken(data: AreaData, buurtcodes: list[str]) -> list[str] | None:
    """The wijken whose buurten together are exactly `buurtcodes`, or None if there are none such."""
    buurten = data.layers["buurten"]
    wanted = set(buurtcodes)
    wijken = set(data.members("buurten", sorted(wanted))["wijkcode"])
    union = set(buurten.loc[buurten["wijkcode"].isin(wijken), "buurtcode"]) if wijken else set()
    return sorted(wijken) if wijken and union == wanted else None


def area_figure(data: AreaData, buurtcodes: list[str], indicator: Indicator,
                wijkcodes: list[str] | None = None) -> AreaFigure:
    """One indicator over the buurten, or over their wijken where those cover more of it."""
    result = AreaFigure(aggregate(data.members("buurten", buurtcodes), indicator), "buurten")
    wijkcodes = whole_wijken(data, buurtcodes) if wijkcodes is None else wijkcodes
    if not result.aggregate.complete and wijkcodes:
        wijk_members = data.members("wijken", wijkcodes)
        if len(wijk_members) == len(wijkcodes):
            by_wijk = aggregate(wijk_members, indicator)
            if by_wijk.coverage > result.aggregate.coverage:
                result = AreaFigure(by_wijk, "wijken")
    return result


def figures_for_buurten(data: AreaData, buurtcodes: list[str]) -> dict[str, AreaFigure]:
    wijkcodes = whole_wijken(data, buurtcodes) or []
    return {ind.id: area_figure(data, buurtcodes, ind, wijkcodes) for ind in data.catalogue}


def area_geometry(data: AreaData, definition: PriorityArea):
    """The area's outline: the union of its buurten (None when the data has none of them)."""
    buurten = data.layers["buurten"]
    members = buurten[buurten["buurtcode"].isin(definition.buurtcodes)]
    return shapely.union_all(members.geometry.values) if len(members) else None


def area_geometries(data: AreaData) -> list:
    """Outlines of all priority areas, without their figures (what a map overlay needs, and fast)."""
    return [area_geometry(data, definition) for definition in domain.priority_areas().values()]


def summarise(data: AreaData, definition: PriorityArea) -> AreaSummary:
    buurten = data.layers["buurten"]
    known = set(buurten["buurtcode"])
    present = [c for c in definition.buurtcodes if c in known]
    unknown = [c for c in definition.buurtcodes if c not in known]
    geometry = area_geometry(data, definition)
    figures = figures_for_buurten(data, present) if present else {}
    area = figures.get("oppervlakte_totaal_in_ha")
    if area is not None and area.aggregate.complete:
        km2, source = area.aggregate.value / 100, "cbs"
    elif geometry is not None:
        km2 = float(gpd.GeoSeries([geometry], crs=buurten.crs).to_crs(RD_NEW).area.iloc[0] / 1e6)
        source = "geometry"
    else:
        km2, source = None, "geometry"
    return AreaSummary(definition, present, unknown, geometry, km2, source, figures)


def build_areas(data: AreaData) -> list[AreaSummary]:
    return [summarise(data, definition) for definition in domain.priority_areas().values()]


def areas_frame(summaries: list[AreaSummary]) -> gpd.GeoDataFrame:
    """The areas as a GeoDataFrame (one dissolved polygon each), for maps."""
    return gpd.GeoDataFrame(
        {
            "area_id": [s.area_id for s in summaries],
            "name": [s.definition.name for s in summaries],
            "gemeentecode": [s.definition.gemeentecode for s in summaries],
            "precision": [s.definition.precision for s in summaries],
        },
        geometry=[s.geometry for s in summaries],
        crs="EPSG:4326",
    )
