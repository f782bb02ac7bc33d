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
from geo.data.national import REFERENCE as NATIONAL
from geo.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from geo.maps.classify import DEFAULT_CLASSES, MAX_CLASSES, MIN_CLASSES, SCHEMES
from geo.maps.missing import Missing, level_reason, reasons_for_level, why_aggregate_missing, why_missing

LEVELS = {"gemeente": "gemeenten", "wijk": "wijken", "buurt": "buurten"}
DEFAULT_INDICATOR = "aantal_inwoners"


def references() -> tuple[str, ...]:
    """What an area can be compared with: its municipality, the region's groups (parkstad), the province, the
    Netherlands (CBS's national figure)."""
    return ("none", "gemeente", *domain.group_ids(), domain.province_id(), NATIONAL)


def fixed_scopes() -> tuple[str, ...]:
    """Scopes besides priority-area ids and GM codes: the groups, all the region's municipalities, the
    province (gemeente level only)."""
    return (*domain.group_ids(), "all", domain.province_id())


def default_scope() -> str:
    groups = domain.group_ids()
    return groups[0] if groups else "all"


def region_ids() -> list[str]:
    """The groups, the province and the Netherlands: the references shown beside an area."""
    return [*domain.regions(), NATIONAL]


def region_name(region_id: str, lang: str, short: bool = False) -> str:
    """A reference area in words: a group or the province from the region file, or the Netherlands."""
    if region_id == NATIONAL:
        return t("nederland_short" if short else "nederland_name", lang)
    region = domain.regions()[region_id]
    return region.short(lang) if short else region.label(lang)


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
    """A region's value to compare with: None unless every municipality in it has one (geo.data.aggregate)."""
    return data.region_aggregate(region_id, indicator_id).value


def comparison_unavailable(data: AreaData, view: View) -> Missing | None:
    """Why the view's reference cannot be compared with (in its year, or in the `change` year); None when it can.
    The map then shows the indicator itself, and the page says this reason."""
    if view.ref == "none":
        return None
    for year in (view.year or data.year, view.change):
        if not year:
            continue
        year_data = data.for_year(year)
        if view.ref == "gemeente":
            codes = scope_frame(year_data, view.level, view.area)["gemeentecode"]
            values = gemeente_values(year_data, view.indicator).reindex(codes.unique())
            if values.notna().any():
                continue
            reason = level_reason(data, "gemeenten", view.indicator, year)
            if reason is None and len(codes):
                reason = why_missing(data, str(codes.iloc[0]), view.indicator, year)
            return reason
        result = year_data.region_aggregate(view.ref, view.indicator)
        reason = why_aggregate_missing(data, result, "gemeenten", view.indicator, year)
        if reason is not None:
            return reason
    return None


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
    if ref in domain.regions() or ref == NATIONAL:
        return t("ref_region", lang, name=region_name(ref, lang, short=True))
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
    compared = view.ref != "none" and comparison_unavailable(data, view) is None
    reference = reference_series(current, frame, view) if compared else None
    if reference is not None:
        table["reference"] = reference.to_numpy()
        table["difference"] = table["value"] - table["reference"]
    if view.change:
        base = data.for_year(view.change)
        earlier = base.layers[view.layer].set_index(key)
        base_values = values_of(earlier, view.indicator).reindex(table["code"]).to_numpy()
        base_reference = reference_series(base, frame, view) if compared else None
        if base_reference is not None:
            base_values = base_values - base_reference.to_numpy()
        table["base"] = base_values
        table["change"] = table["difference" if reference is not None else "value"] - table["base"]
        changed = data.boundary_changes(view.layer, view.change, view.year)
        table["changed"] = table["code"].isin(changed) | ~table["code"].isin(earlier.index)
    return table


def missing_reasons(data: AreaData, view: View, table: pd.DataFrame, lang: str | None = None) -> dict[str, Missing]:
    """For every area in the scope table without a mapped value: why (its own value, else the earlier year's)."""
    lang = lang or view.lang
    column = shown_column(table)
    empty = table[table[column].isna()]
    if empty.empty:
        return {}
    year, memo = view.year or data.year, {}
    own = empty.loc[empty["value"].isna(), "code"].tolist()
    out = reasons_for_level(data, view.layer, view.indicator, year, own, lang, memo)
    rest = [c for c in empty["code"] if c not in out]
    if rest and view.change:  # a value now, none in the earlier year (or a code that did not exist then)
        earlier = reasons_for_level(data, view.layer, view.indicator, view.change, rest, lang, memo)
        for code in rest:
            out[code] = earlier.get(code) or Missing("no_value", view.change, view.indicator)
    for code in (c for c in empty["code"] if c not in out):
        out[code] = Missing("no_value", year, view.indicator)  # its municipality has no value to compare with
    return out


def missing_summary(reasons: dict[str, Missing], lang: str) -> list[tuple[str, int]]:
    """The distinct reasons with how many areas each, most frequent first (for the legend's note)."""
    counts: dict[str, int] = {}
    for reason in reasons.values():
        text = reason.text(lang)
        counts[text] = counts.get(text, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def shown_column(table: pd.DataFrame) -> str:
    """What the map colours: the change, else the difference from the reference, else the value."""
    return "change" if "change" in table else "difference" if "difference" in table else "value"


def ranking(data: AreaData, view: View, reasons: dict[str, Missing] | None = None) -> pd.DataFrame:
    """The scope table, best-known first, with a rank (missing values last and unranked)."""
    table = scope_table(data, view)
    column = "change" if "change" in table else "value"
    order = table.sort_values(column, ascending=False, na_position="last", kind="stable")
    order["rank"] = order[column].rank(ascending=False, method="min").astype("Int64")
    reasons = missing_reasons(data, view, order) if reasons is None else reasons  # the map's, when it has them
    order["why"] = [reasons[c].text(view.lang) if c in reasons else "" for c in order["code"]]
    return order.reset_index(drop=True)


def reference_rows(data: AreaData, view: View) -> pd.DataFrame:
    """Municipality values (for the municipalities in scope), Parkstad and Limburg, with coverage and, where
    there is no value, why."""
    root, year = data, view.year or data.year
    data = data.for_year(year)
    indicator = data.catalogue[view.indicator]
    frame = scope_frame(data, view.level, view.area)
    rows = []
    gemeenten = data.layers["gemeenten"].set_index("gemeentecode")
    values = gemeente_values(data, view.indicator)
    for code in sorted(set(frame["gemeentecode"]) & set(gemeenten.index)):
        value = values[code]
        why = why_missing(root, code, indicator.id, year, view.lang) if pd.isna(value) else None
        rows.append({"kind": "gemeente", "code": code, "name": str(gemeenten.at[code, "gemeentenaam"]),
                     "value": value, "covered": 1 if pd.notna(value) else 0, "members": 1,
                     "why": why.text(view.lang) if why else ""})
    for region_id in region_ids():
        result = data.region_aggregate(region_id, indicator.id)
        why = why_aggregate_missing(root, result, "gemeenten", indicator.id, year, view.lang)
        rows.append({"kind": region_id, "code": region_id, "name": region_name(region_id, view.lang),
                     "value": np.nan if result.value is None else result.value,
                     "covered": result.covered, "members": result.members, "why": why.text(view.lang) if why else ""})
    return pd.DataFrame(rows)


def selection_in_view(selected: str | None, codes: set[str]) -> tuple[str | None, str | None]:
    """(the selected area, None) when it is one of the view's areas; (None, the selection) when it is not: the
    selection stays through changes of indicator, year, classes and comparison, and leaves only when a new level
    or scope no longer holds it (the page says so)."""
    if not selected:
        return None, None
    return (selected, None) if selected in codes else (None, selected)


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
    why: dict[str, str] = field(default_factory=dict)  # "area", "gemeente" or a region id without a value: why


def profile(root: AreaData, code: str, lang: str = DEFAULT_LANGUAGE, year: int | None = None) -> list[ProfileRow]:
    """Key indicators of one area in `year` (default the latest) against its municipality, the region's groups
    and the province; every empty figure with the reason (geo.maps.missing)."""
    year = year or root.year
    data = root.for_year(year)
    row = data.row(code)
    if row is None:
        return []
    gemeentecode = str(row["gemeentecode"])
    gemeente_row = data.row(gemeentecode)
    out = []
    for ind in data.catalogue.key_indicators():
        value = _float(row.get(ind.id))
        gm = _float(gemeente_row.get(ind.id)) if gemeente_row is not None else None
        why: dict[str, str] = {}
        if value is None:
            reason = why_missing(root, code, ind.id, year, lang)
            why["area"] = reason.text(lang) if reason else ""
        if gm is None:
            reason = why_missing(root, gemeentecode, ind.id, year, lang)
            why["gemeente"] = reason.text(lang) if reason else ""
        regions = {}
        for region in region_ids():
            result = data.region_aggregate(region, ind.id)
            regions[region] = result.value
            if result.value is None:
                reason = why_aggregate_missing(root, result, "gemeenten", ind.id, year, lang)
                why[region] = reason.text(lang) if reason else ""
        out.append(ProfileRow(ind.id, value, gm, regions, why))
    return out


def _float(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(value) else value

