"""What a resident sees about one buurt: where it lies, how it is doing, what is being done there.

Figures come from the buurt itself; where CBS gives none for the buurt, from its wijk, said as such
("cijfer voor de wijk"), never silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geo.data import domain, statline
from geo.data.area_data import AreaData
from geo.data.domain import PriorityArea
from geo.initiatives.schema import Initiative
from geo.maps import explorer
from geo.residents.locatieserver import Location

RD_NEW = "EPSG:28992"


@dataclass(frozen=True)
class Figure:
    indicator_id: str
    value: float | None
    level: str | None  # "buurt", "wijk" (fallback) or None when neither has a value
    gemeente: float | None
    regions: dict[str, float | None]  # the region's groups and the province
    why: dict[str, str] = field(default_factory=dict)  # "area" (buurt and wijk), "gemeente", region ids: why empty


@dataclass
class BuurtProfile:
    code: str
    name: str
    wijkcode: str
    wijknaam: str
    gemeentecode: str
    gemeentenaam: str
    in_parkstad: bool
    areas: list[PriorityArea]
    figures: list[Figure]


def buurt_profile(data: AreaData, code: str, lang: str = "nl") -> BuurtProfile | None:
    row = data.row(code)
    if row is None or data.level_of(code) != "buurten":
        return None
    wijk = data.row(str(row["wijkcode"]))
    for_wijk = {r.indicator_id: r for r in explorer.profile(data, str(row["wijkcode"]), lang)}
    figures = []
    for own in explorer.profile(data, code, lang):
        value, level = own.value, "buurt"
        if value is None and own.indicator_id in for_wijk:
            value, level = for_wijk[own.indicator_id].value, "wijk"
        figures.append(Figure(own.indicator_id, value, level if value is not None else None,
                              own.gemeente, own.regions, own.why))
    return BuurtProfile(
        code=code, name=str(row["buurtnaam"]), wijkcode=str(row["wijkcode"]),
        wijknaam=str(wijk["wijknaam"]) if wijk is not None else "",
        gemeentecode=str(row["gemeentecode"]), gemeentenaam=str(row["gemeentenaam"]),
        in_parkstad=str(row["gemeentecode"]) in domain.parkstad_codes(),
        areas=[a for a in domain.priority_areas().values() if code in a.buurtcodes],
        figures=figures,
    )


def benefit_trend(data: AreaData, code: str) -> tuple[str, pd.DataFrame] | None:
    """(level, series) of social-assistance figures: the buurt's, else its wijk's, else None."""
    if data.benefits is None:
        return None
    row = data.row(code)
    for level, candidate in (("buurt", code), ("wijk", str(row["wijkcode"]) if row is not None else "")):
        series = statline.benefit_series(data.benefits, candidate)
        if "bijstand_pct" in series and series["bijstand_pct"].notna().sum() >= 2:
            return level, series
    return None


def neighbours(data: AreaData, code: str) -> list[str]:
    """Buurten that touch this one (generalised borders: anything within 25 m counts)."""
    buurten = data.layers["buurten"]
    projected = buurten.set_index("buurtcode").geometry.to_crs(RD_NEW)
    if code not in projected.index:
        return []
    near = projected[projected.distance(projected[code]) <= 25.0]
    return [c for c in near.index if c != code]


def buurt_at(data: AreaData, lon: float, lat: float) -> str | None:
    point = shapely.Point(lon, lat)
    buurten = data.layers["buurten"]
    hits = buurten[buurten.geometry.contains(point)]
    return str(hits["buurtcode"].iloc[0]) if len(hits) else None


@dataclass(frozen=True)
class Resolved:
    buurtcode: str | None
    nearest_gemeente: str | None = None  # when the place lies outside the covered municipalities
    distance_km: float | None = None
    checked: bool = True  # the Locatieserver's buurt and our point-in-polygon agree (or only one said)


def resolve(data: AreaData, location: Location) -> Resolved:
    """The buurt of a Locatieserver result, checked against the cached boundaries."""
    covered = set(data.layers["buurten"]["buurtcode"])
    by_polygon = buurt_at(data, location.lon, location.lat)
    if location.buurtcode in covered:
        return Resolved(location.buurtcode, checked=by_polygon in (None, location.buurtcode))
    if by_polygon:
        return Resolved(by_polygon)
    return Resolved(None, *nearest_gemeente(data, location.lon, location.lat))


def nearest_gemeente(data: AreaData, lon: float, lat: float) -> tuple[str, float]:
    gemeenten = data.gemeenten_of(domain.focus_codes())
    projected = gemeenten.set_index("gemeentecode").geometry.to_crs(RD_NEW)
    point = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(RD_NEW).iloc[0]
    distances = projected.distance(point)
    code = str(distances.idxmin())
    return code, round(float(distances.min()) / 1000, 1)


@dataclass(frozen=True)
class NearbyInitiative:
    initiative: Initiative
    relation: str  # "buurt", "area", "wijk" or "gemeente"


RELATIONS = ("buurt", "area", "wijk", "gemeente", "region")  # nearest first: the page's groups, in this order


def initiatives_near(data: AreaData, items: list[Initiative], code: str, limit: int = 25) -> list[NearbyInitiative]:
    """Initiatives in the buurt, then in its priority area, its wijk, the rest of its municipality, and last those
    that work across several municipalities including this one (region-wide), each group by name."""
    row = data.row(code)
    if row is None:
        return []
    area_ids = {a.area_id for a in domain.priority_areas().values() if code in a.buurtcodes}
    wijk_buurten = set(data.layers["buurten"].loc[data.layers["buurten"]["wijkcode"] == row["wijkcode"],
                                                  "buurtcode"])
    out: list[NearbyInitiative] = []
    for item in items:
        if code in item.buurtcodes:
            relation = "buurt"
        elif item.area_id in area_ids:
            relation = "area"
        elif wijk_buurten & set(item.buurtcodes):
            relation = "wijk"
        elif str(row["gemeentecode"]) in item.gemeentecodes:
            relation = "region" if len(item.gemeentecodes) > 1 and not item.buurtcodes else "gemeente"
        else:
            continue
        out.append(NearbyInitiative(item, relation))
    out.sort(key=lambda n: (RELATIONS.index(n.relation), n.initiative.name.casefold()))
    return out[:limit]
