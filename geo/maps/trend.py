"""An area's indicator over all data years in the cache, and whether its gap to a reference is closing.

An area is a gemeente, wijk or buurt code, a priority-area id, or a region id (`parkstad`, `limburg`).
Every point says where it comes from; aggregates say how many members had a value. A point is marked
`break_before` when the area's code or boundary changed since the previous year (CBS's
`indelingswijziging` flag, a code that is new, or a priority area whose member buurten changed), so a
chart never joins two different areas into one line without saying so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import pandas as pd

from geo.data import domain
from geo.data.area_data import AreaData, boundary_changed
from geo.data.indicators import Indicator
from geo.data.national import REFERENCE as NATIONAL
from geo.i18n import period_text, t
from geo.maps.areas import area_figure
from geo.maps.missing import Missing, why_aggregate_missing, why_missing


class UnknownArea(ValueError):
    """The area is not a code, priority area or region this cache knows."""


@dataclass(frozen=True)
class TrendPoint:
    year: int
    value: float | None
    source: str
    covered: int | None = None  # aggregates: members with a value
    members: int | None = None
    break_before: bool = False
    why: Missing | None = None  # where value is None: why (geo.maps.missing)
    reference_year: int | None = None  # the year the value describes, where it differs from `year` (income)

    @property
    def comparable(self) -> bool:
        """A value that stands on all its members (geo.data.aggregate gives a partial aggregate no value)."""
        return self.value is not None and (self.members is None or self.covered == self.members)

    def as_json(self) -> dict:
        out = asdict(self)
        out["why"] = None if self.why is None else {**self.why.as_json(), "text": self.why.text("en")}
        if self.reference_year is None:
            out.pop("reference_year")
        if self.members is None:
            out.pop("covered")
            out.pop("members")
        return out


def year_label(year: int | None, reference_year: int | None, lang: str) -> str:
    """A data year as a reader reads it: "2022", or "2022 (inkomen 2020)" where the figure describes another year."""
    if year is None:
        return ""
    if reference_year is None or reference_year == year:
        return str(year)
    return t("year_with_reference", lang, year=year, reference_year=reference_year)


def area_kind(data: AreaData, area: str) -> str:
    """`code`, `priority` or `region`; UnknownArea with the reason otherwise."""
    if area in domain.regions() or area == NATIONAL:
        return "region"
    if area in domain.priority_areas():
        return "priority"
    if any(data.for_year(year).level_of(area) for year in data.years):
        return "code"
    raise UnknownArea(
        f"unknown area {area!r}: use a gemeente, wijk or buurt code from the cache (e.g. GM0917), "
        f"a priority area ({', '.join(domain.priority_areas())}) or {' / '.join([*domain.regions(), NATIONAL])}"
    )


def area_label(data: AreaData, code: str, lang: str, with_code: bool = False) -> str:
    """An area in words, for titles, menus and reports (monitor, comparison): a group or the province as the region
    file names it, a priority area's name, a municipality's name, a wijk or buurt with its municipality (and its
    code, where areas of several municipalities and levels are listed together)."""
    if code in domain.regions():
        return domain.regions()[code].label(lang)
    if code in domain.priority_areas():
        return domain.priority_areas()[code].name
    name = data.name_of(code) or code
    row = data.row(code)
    if code.startswith("GM") or row is None:
        return name
    return f"{name} ({row['gemeentenaam']}, {code})" if with_code else f"{name} ({row['gemeentenaam']})"


def _float(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _flag_changed(row: pd.Series | None) -> bool:
    return row is not None and bool(boundary_changed(row.to_frame().T).iloc[0])


def series(data: AreaData, area: str, indicator_id: str, lang: str = "nl") -> list[TrendPoint]:
    """One point per data year (value None where the year has none: a gap, never a zero)."""
    if indicator_id not in data.catalogue:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    indicator = data.catalogue[indicator_id]
    kind = area_kind(data, area)
    points: list[TrendPoint] = []
    previous_members: frozenset[str] | None = None
    for year in data.years:
        year_data = data.for_year(year)
        source = indicator.source(year, period_text(year_data.benefit_period, lang), lang)
        if kind == "code":
            row = year_data.row(area)
            value = None if row is None else _float(row.get(indicator_id))
            members = frozenset([area]) if row is not None else frozenset()
            why = None if value is not None else why_missing(data, area, indicator_id, year, lang)
            point = TrendPoint(year, value, source, break_before=_flag_changed(row), why=why)
        elif kind == "region":
            result = year_data.region_aggregate(area, indicator_id)
            members = frozenset()
            why = why_aggregate_missing(data, result, "gemeenten", indicator_id, year, lang)
            point = TrendPoint(year, result.value, source, result.covered, result.members, why=why)
        else:
            point, members = _priority_point(data, year_data, area, indicator, year, source, lang)
        if indicator.reference_lag:
            point = replace(point, reference_year=indicator.reference_year(year))
        if previous_members is not None and kind != "region" and members and members != previous_members:
            point = replace(point, break_before=True)
        previous_members = members if members else previous_members
        points.append(point)
    return points


def _priority_point(root: AreaData, data: AreaData, area_id: str, indicator: Indicator, year: int,
                    source: str, lang: str) -> tuple[TrendPoint, frozenset[str]]:
    definition = domain.priority_areas()[area_id]
    present = [c for c in definition.buurtcodes if data.level_of(c) == "buurten"]
    figure = area_figure(data, present, indicator)
    changed = bool(boundary_changed(data.members("buurten", present)).any())
    result = figure.aggregate
    why = why_aggregate_missing(root, result, figure.basis, indicator.id, year, lang)
    point = TrendPoint(year, result.value, source, result.covered, result.members, changed, why=why)
    return point, frozenset(present)


def why_no_value(points: list[TrendPoint]) -> Missing | None:
    """Why a series has no value in any year: the latest year's reason, unless some year has the figure at a
    coarser level (then that, so that a page can point to the level that has it). None when it has a value."""
    if any(p.value is not None for p in points):
        return None
    reasons = [p.why for p in reversed(points) if p.why is not None]
    return next((w for w in reasons if w.reason == "not_at_level"), reasons[0] if reasons else None)


@dataclass(frozen=True)
class Gap:
    """How an area compares with a reference in the first and latest year both have a value."""

    first_year: int | None
    latest_year: int | None
    value: float | None  # the area's latest value
    reference: float | None  # the reference's value in that year
    gap: float | None  # value - reference, latest year
    first_gap: float | None
    direction: str  # "closing", "widening", "equal" or "no_data"
    standing: str  # "better", "worse", "level" or "neutral" (per the indicator's direction)


def gap_over_time(points: list[TrendPoint], reference: list[TrendPoint], indicator: Indicator) -> Gap:
    """Closing means the distance to the reference shrank between the first and the latest common year.
    Only years where both stand on all their members count (see TrendPoint.comparable)."""
    ref = {p.year: p.value for p in reference if p.comparable}
    common = [p for p in points if p.comparable and p.year in ref]
    latest_with_value = next((p for p in reversed(points) if p.value is not None), None)
    if not common:
        value = latest_with_value.value if latest_with_value else None
        year = latest_with_value.year if latest_with_value else None
        return Gap(None, year, value, None, None, None, "no_data", "neutral")
    first, last = common[0], common[-1]
    gap, first_gap = last.value - ref[last.year], first.value - ref[first.year]
    tolerance = 10 ** -(indicator.decimals + 1)
    if first.year == last.year:
        direction = "no_data"
    elif abs(gap) < abs(first_gap) - tolerance:
        direction = "closing"
    elif abs(gap) > abs(first_gap) + tolerance:
        direction = "widening"
    else:
        direction = "equal"
    if indicator.direction == "neutral":
        standing = "neutral"
    elif abs(gap) <= tolerance:
        standing = "level"
    else:
        higher = gap > 0
        standing = "worse" if higher == (indicator.direction == "higher_worse") else "better"
    return Gap(first.year, last.year, last.value, ref[last.year], gap, first_gap, direction, standing)


def _gemeente_of(data: AreaData, area: str, kind: str) -> str | None:
    if kind == "priority":
        return domain.priority_areas()[area].gemeentecode
    if kind == "code" and not area.startswith("GM"):
        for year in reversed(data.years):
            row = data.for_year(year).row(area)
            if row is not None:
                return str(row["gemeentecode"])
    return None


def comparison(data: AreaData, area: str, indicator_id: str, lang: str, area_label: str) -> pd.DataFrame:
    """The area, its municipality and the regions as one long table for a line chart.

    Columns: series, role (area, gemeente, group, province, country), year, value, source, break_before, segment.
    A reference with no value in any year (the Netherlands when the cache has no national figures) is left out,
    and so are all references for a count: a wijk's 17,835 inhabitants on one axis with Limburg's 1.1 million
    compares nothing and flattens the area's own line (its rate, `compare_as`, is the comparable figure).
    A segment is a run of consecutive years with values and no break, so a chart draws gaps and breaks
    instead of joining them.
    """
    kind = area_kind(data, area)
    lines = [("area", area_label, area)]
    counted = data.catalogue[indicator_id].kind == "count"
    gemeente = None if counted else _gemeente_of(data, area, kind)
    if gemeente:
        lines.append(("gemeente", data.name_of(gemeente) or gemeente, gemeente))
    kinds = {r: ("province" if r == domain.province_id() else "group") for r in domain.regions()}
    if not counted:
        lines += [(kinds[r], region.short(lang), r) for r, region in domain.regions().items() if r != area]
        if area != NATIONAL:
            lines.append(("country", t("nederland_short", lang), NATIONAL))
    rows = []
    for role, label, code in lines:
        segment, previous = 0, None
        points = series(data, code, indicator_id, lang)
        if role == "country" and all(p.value is None for p in points):
            continue
        for point in points:
            if point.value is None or point.break_before or (previous is not None and previous.value is None):
                segment += 1
            rows.append({"series": label, "role": role, "year": point.year, "value": point.value,
                         "source": point.source, "break_before": point.break_before,
                         "segment": f"{role}-{segment}"})
            previous = point
    return pd.DataFrame(rows)


def points_table(points: list[dict], years: list[int], problem: str, series: str) -> pd.DataFrame:
    """Small charts as a table (their text alternative, WCAG 1.1.1): a row per problem and line, a column per data
    year, each cell the figure as the page writes it (`text`) or "–" where the line has no point that year.
    `problem` and `series` name the two row headers."""
    if not points:
        return pd.DataFrame()
    frame = pd.DataFrame(points)
    order = list(dict.fromkeys(zip(frame["problem"], frame["series"], strict=True)))
    table = (frame.pivot_table(index=["problem", "series"], columns="year", values="text", aggfunc="first")
             .reindex(index=pd.MultiIndex.from_tuples(order), columns=years).astype(object).fillna("–"))
    table.index.names = [problem, series]
    table.columns = [str(year) for year in years]
    return table
