"""The map explorer's rules: the view in the URL, which areas are in scope, references, ranking, profile.

Everything here is plain Python over AreaData so it is tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.data import domain
from geo.data.area_data import AreaData
from geo.data.layers import LAYERS
from geo.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from geo.maps.classify import DEFAULT_CLASSES, MAX_CLASSES, MIN_CLASSES, SCHEMES

LEVELS = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}
DEFAULT_INDICATOR = "aantal_inwoners"


def references() -> tuple[str, ...]:
    """What an area can be compared with: its municipality, the region's groups (parkstad), the province."""
    return ("none", "gemeente", *domain.group_ids(), domain.province_id())


def fixed_scopes() -> tuple[str, ...]:
    """Scopes besides priority-area ids and GM codes: the groups, all the region's municipalities, the
    province (gemeente level only)."""
    return (*domain.group_ids(), "all", domain.province_id())


def default_scope() -> str:
    groups = domain.group_ids()
    return groups[0] if groups else "all"


def region_ids() -> list[str]:
    """The groups and the province: the aggregates shown beside an area."""
    return list(domain.regions())


@dataclass(frozen=True)
class View:
    lang: str = DEFAULT_LANGUAGE
    level: str = "wijk"
    area: str = field(default_factory=default_scope)
    indicator: str = DEFAULT_INDICATOR
    classes: int = DEFAULT_CLASSES
    scheme: str = "quantiles"
    ref: str = "none"
    init: int = 0  # 1: overlay the initiatives
    year: int = 0  # data year; 0 until `applicable` fills in the latest the cache has
    change: int = 0  # 0, or an earlier data year: map the change since then

    def params(self) -> dict[str, str]:
        """The view as query parameters (`change` only when a change is shown)."""
        return {k: str(v) for k, v in asdict(self).items() if not (k == "change" and not v)}

    @property
    def layer(self) -> str:
        return LEVELS[self.level]


@dataclass(frozen=True)
class Notice:
    """A query-parameter value that was not understood (or not applicable) and what was used instead."""

    param: str
    given: str
    used: str
    reason: str = "unknown"  # "unknown" or a translation key explaining why it does not apply


def valid_areas(data: AreaData) -> set[str]:
    return {*fixed_scopes(), *domain.priority_areas(), *data.layers["gemeenten"]["gemeentecode"]}


def parse_view(params: Mapping[str, str], data: AreaData) -> tuple[View, list[Notice]]:
    """Read the view from query parameters; anything unknown falls back to its default with a notice."""
    default = View()
    notices: list[Notice] = []
    values: dict = {}

    def pick(name: str, allowed, convert=str):
        raw = params.get(name)
        if raw is None or raw == "":
            return
        try:
            value = convert(raw)
        except ValueError:
            value = None
        if value is None or value not in allowed:
            notices.append(Notice(name, str(raw), str(getattr(default, name))))
            return
        values[name] = value

    pick("lang", LANGUAGES)
    pick("level", LEVELS)
    pick("area", valid_areas(data))
    pick("indicator", set(data.catalogue.ids()))
    pick("classes", range(MIN_CLASSES, MAX_CLASSES + 1), int)
    pick("scheme", SCHEMES)
    pick("ref", references())
    pick("init", (0, 1), int)
    pick("year", set(data.years), int)
    pick("change", {0, *data.years}, int)
    notices = [replace(n, used=str(data.year)) if n.param == "year" else n for n in notices]
    view = replace(default, **values)
    return applicable(view, data, notices)


def applicable(view: View, data: AreaData, notices: list[Notice] | None = None) -> tuple[View, list[Notice]]:
    """Combinations that make no sense are adjusted, with a notice saying why."""
    notices = list(notices or [])
    if not view.year:
        view = replace(view, year=data.year)
    if view.change and view.change >= view.year:
        notices.append(Notice("change", str(view.change), "", "notice_change_before_year"))
        view = replace(view, change=0)
    gemeentecodes = set(data.layers[view.layer]["gemeentecode"])
    if view.area == domain.province_id() and view.level != "gemeente":
        notices.append(Notice("area", view.area, "all", "notice_limburg_only_gemeenten"))
        view = replace(view, area="all")
    if view.area.startswith("GM") and view.area not in gemeentecodes:
        notices.append(Notice("area", view.area, "all", "notice_no_detail_for_gemeente"))
        view = replace(view, area="all")
    indicator = data.catalogue[view.indicator]
    if view.ref != "none" and indicator.kind == "count":
        rate = indicator.compare_as if indicator.compare_as in data.catalogue else None
        if rate:  # keep the comparison the user asked for, on the rate that allows it
            notices.append(Notice("indicator", view.indicator, rate, "notice_ref_compared_as"))
            view = replace(view, indicator=rate)
        else:
            notices.append(Notice("ref", view.ref, "none", "notice_ref_needs_ratio"))
            view = replace(view, ref="none")
    if view.ref == "gemeente" and view.level == "gemeente":
        notices.append(Notice("ref", view.ref, "none", "notice_ref_gemeente_level"))
        view = replace(view, ref="none")
    return view, notices


def scope_frame(data: AreaData, level: str, area: str) -> gpd.GeoDataFrame:
    """The areas at `level` that make up the scope `area`."""
    layer = LEVELS[level]
    frame = data.layers[layer]
    regions = domain.regions()
    if area == domain.province_id():
        return frame[frame["gemeentecode"].isin(regions[area].gemeentecodes)]
    if area == "all":
        return frame[frame["gemeentecode"].isin(domain.focus_codes())]
    if area in regions:
        return frame[frame["gemeentecode"].isin(regions[area].gemeentecodes)]
    if area.startswith("GM"):
        return frame[frame["gemeentecode"] == area]
    definition = domain.priority_areas()[area]
    if level == "buurt":
        return frame[frame["buurtcode"].isin(definition.buurtcodes)]
    if level == "wijk":
        buurten = data.layers["buurten"]
        wijken = buurten.loc[buurten["buurtcode"].isin(definition.buurtcodes), "wijkcode"]
        return frame[frame["wijkcode"].isin(set(wijken))]
    return frame[frame["gemeentecode"] == definition.gemeentecode]


def values_of(frame: pd.DataFrame, indicator_id: str) -> pd.Series:
    if indicator_id not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[indicator_id], errors="coerce").astype("float64")


def region_value(data: AreaData, region_id: str, indicator_id: str) -> float | None:
    """A region's value to compare with, only when every municipality in it has one (else None: an
    "average" of a few would pass for the region's)."""
    result = data.region_aggregate(region_id, indicator_id)
    return result.value if result.complete else None


def gemeente_values(data: AreaData, indicator_id: str) -> pd.Series:
    gemeenten = data.layers["gemeenten"]
    return pd.Series(values_of(gemeenten, indicator_id).to_numpy(), index=gemeenten["gemeentecode"])


def reference_series(data: AreaData, frame: pd.DataFrame, view: View) -> pd.Series | None:
    """Per row, the value it is compared with (None when there is no reference)."""
    if view.ref == "none":
        return None
    if view.ref == "gemeente":
        return frame["gemeentecode"].map(gemeente_values(data, view.indicator)).astype("float64")
    value = region_value(data, view.ref, view.indicator)
    return pd.Series(np.nan if value is None else value, index=frame.index, dtype="float64")


def scope_label(data: AreaData, area: str, lang: str) -> str:
    """A scope in words: a group, all the region's municipalities, the province, a municipality, an area."""
    regions = domain.regions()
    if area == "all":
        return t("scope_all", lang, n=len(domain.focus_codes()))
    if area == domain.province_id():
        return t("scope_province", lang, name=regions[area].label(lang), n=len(regions[area].gemeentecodes))
    if area in regions:
        return t("scope_group", lang, name=regions[area].label(lang))
    if area.startswith("GM"):
        return t("scope_gemeente", lang, name=data.name_of(area))
    return t("scope_area", lang, name=domain.priority_areas()[area].name)


def reference_label(ref: str, lang: str) -> str:
    regions = domain.regions()
    if ref in regions:
        return t("ref_region", lang, name=regions[ref].short(lang))
    return t(f"ref_{ref}", lang)


def scope_table(data: AreaData, view: View) -> pd.DataFrame:
    """One row per area in scope, in layer order: code, name, gemeente, value (and reference, difference;
    with `change`: the value (or difference) in the earlier year, the change, and whether the area's
    boundary or code changed in between)."""
    current = data.for_year(view.year or data.year)
    frame = scope_frame(current, view.level, view.area)
    key, name_column = LAYERS[view.layer].key, LAYERS[view.layer].name_column
    table = pd.DataFrame({
        "code": frame[key].astype(str).to_numpy(),
        "name": frame[name_column].astype(str).to_numpy(),
        "gemeente": frame["gemeentenaam"].astype(str).to_numpy(),
        "value": values_of(frame, view.indicator).to_numpy(),
    })
    reference = reference_series(current, frame, view)
    if reference is not None:
        table["reference"] = reference.to_numpy()
        table["difference"] = table["value"] - table["reference"]
    if view.change:
        base = data.for_year(view.change)
        earlier = base.layers[view.layer].set_index(key)
        base_values = values_of(earlier, view.indicator).reindex(table["code"]).to_numpy()
        base_reference = reference_series(base, frame, view)
        if base_reference is not None:
            base_values = base_values - base_reference.to_numpy()
        table["base"] = base_values
        table["change"] = table["difference" if reference is not None else "value"] - table["base"]
        changed = data.boundary_changes(view.layer, view.change, view.year)
        table["changed"] = table["code"].isin(changed) | ~table["code"].isin(earlier.index)
    return table


def shown_column(table: pd.DataFrame) -> str:
    """What the map colours: the change, else the difference from the reference, else the value."""
    return "change" if "change" in table else "difference" if "difference" in table else "value"


def ranking(data: AreaData, view: View) -> pd.DataFrame:
    """The scope table, best-known first, with a rank (missing values last and unranked)."""
    table = scope_table(data, view)
    column = "change" if "change" in table else "value"
    order = table.sort_values(column, ascending=False, na_position="last", kind="stable")
    order["rank"] = order[column].rank(ascending=False, method="min").astype("Int64")
    return order.reset_index(drop=True)


def reference_rows(data: AreaData, view: View) -> pd.DataFrame:
    """Municipality values (for the municipalities in scope), Parkstad and Limburg, with coverage."""
    data = data.for_year(view.year or data.year)
    indicator = data.catalogue[view.indicator]
    frame = scope_frame(data, view.level, view.area)
    rows = []
    gemeenten = data.layers["gemeenten"].set_index("gemeentecode")
    values = gemeente_values(data, view.indicator)
    for code in sorted(set(frame["gemeentecode"]) & set(gemeenten.index)):
        value = values[code]
        rows.append({"kind": "gemeente", "code": code, "name": str(gemeenten.at[code, "gemeentenaam"]),
                     "value": value, "covered": 1 if pd.notna(value) else 0, "members": 1})
    for region_id in region_ids():
        result = data.region_aggregate(region_id, indicator.id)
        rows.append({"kind": region_id, "code": region_id, "name": domain.regions()[region_id].name,
                     "value": np.nan if result.value is None else result.value,
                     "covered": result.covered, "members": result.members})
    return pd.DataFrame(rows)


def select_from_click(clicked: Mapping | None, codes: set[str]) -> str | None:
    """The area code of a map click (streamlit-folium's last_active_drawing), if it is one of ours."""
    if not isinstance(clicked, Mapping):
        return None
    properties = clicked.get("properties") if "properties" in clicked else clicked
    code = properties.get("code") if isinstance(properties, Mapping) else None
    return code if isinstance(code, str) and code in codes else None


@dataclass(frozen=True)
class ProfileRow:
    indicator_id: str
    value: float | None
    gemeente: float | None
    regions: dict[str, float | None]  # the region's groups, then the province (complete aggregates only)


def profile(data: AreaData, code: str) -> list[ProfileRow]:
    """Key indicators of one area against its municipality, the region's groups and the province."""
    row = data.row(code)
    if row is None:
        return []
    gemeente_row = data.row(str(row["gemeentecode"]))
    out = []
    for ind in data.catalogue.key_indicators():
        value = row.get(ind.id)
        gm = gemeente_row.get(ind.id) if gemeente_row is not None else None
        out.append(ProfileRow(ind.id, _float(value), _float(gm), {
            region: region_value(data, region, ind.id) if ind.aggregation != "none" else None
            for region in region_ids()}))
    return out


def _float(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value

