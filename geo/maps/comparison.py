"""Areas side by side (`/vergelijk`): up to four areas of any level, per Regio Deal problem one indicator for all
of them, each area's latest value, the province in the same year, the gap and whether it closed since the first
year, and every series for small charts on one scale per problem.

The indicator of a problem is the first of the problem's indicators (monitor order: rates before counts) that has
a value for every chosen area in some year; else the first with a value for any of them; so a row never compares
one area's rate with another's count. Everything else comes from the monitor's rules (geo.maps.trend).
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.data import domain
from geo.data.area_data import AreaData
from geo.data.domain import Problem
from geo.data.indicators import Indicator
from geo.i18n import number, t
from geo.maps.explorer import Notice
from geo.maps.trend import Gap, TrendPoint, area_kind, gap_over_time, series, why_no_value, year_label

MAX_AREAS = 4


def area_choices(data: AreaData) -> list[str]:
    """What can be compared: the region's groups and province, priority areas, municipalities, their wijken and
    buurten."""
    focus = domain.focus_codes()
    wijken, buurten = data.layers["wijken"], data.layers["buurten"]
    return [*domain.group_ids(), domain.province_id(), *domain.priority_areas(), *focus,
            *wijken.loc[wijken["gemeentecode"].isin(focus), "wijkcode"].tolist(),
            *buurten.loc[buurten["gemeentecode"].isin(focus), "buurtcode"].tolist()]


def default_areas() -> list[str]:
    """The region's first group beside its first two priority areas."""
    return [*domain.group_ids()[:1], *list(domain.priority_areas())[:2]]


def parse_areas(raw: str | None, choices: list[str]) -> tuple[list[str], list[Notice]]:
    """The `areas` parameter (comma-separated ids and codes) as the areas to compare, at most four, each once;
    what cannot be used comes back as a notice."""
    if raw is None:
        return default_areas(), []
    known, notices, areas = set(choices), [], []
    for given in (part.strip() for part in raw.split(",")):
        if not given or given in areas:
            continue
        if given not in known:
            notices.append(Notice("areas", given, "", "notice_compare_unknown"))
        elif len(areas) == MAX_AREAS:
            notices.append(Notice("areas", given, "", "notice_compare_too_many"))
        else:
            areas.append(given)
    return areas, notices


@dataclass(frozen=True)
class Cell:
    """One area's figure for one problem."""

    points: list[TrendPoint]  # every data year
    gap: Gap

    @property
    def latest(self) -> TrendPoint | None:
        return next((p for p in reversed(self.points) if p.value is not None), None)


@dataclass(frozen=True)
class ComparedProblem:
    problem: Problem
    indicator: Indicator | None
    cells: dict[str, Cell]  # area -> its figure
    reference: list[TrendPoint]  # the province, every data year


def compare(data: AreaData, areas: list[str], lang: str = "nl") -> list[ComparedProblem]:
    for area in areas:
        area_kind(data, area)  # raises UnknownArea with a message
    province = domain.province_id()
    out = []
    for problem in domain.problems().values():
        candidates = sorted(data.catalogue.for_problem(problem.problem_id), key=lambda i: i.kind == "count")
        found = {}
        chosen = None
        for indicator in candidates:
            found = {area: series(data, area, indicator.id, lang) for area in areas}
            with_value = [a for a, points in found.items() if any(p.value is not None for p in points)]
            if len(with_value) == len(areas):
                chosen = indicator
                break
            if with_value and chosen is None:
                chosen = indicator  # a fallback; a later one may still cover every area
        if chosen is None and not candidates:
            out.append(ComparedProblem(problem, None, {}, []))
            continue
        chosen = chosen or candidates[0]  # no figure for any area: its empty series still say why
        found = {area: series(data, area, chosen.id, lang) for area in areas}
        reference = series(data, province, chosen.id, lang)
        cells = {area: Cell(points, gap_over_time(points, reference, chosen)) for area, points in found.items()}
        out.append(ComparedProblem(problem, chosen, cells, reference))
    return out


def table(rows: list[ComparedProblem], areas: list[str], names: dict[str, str], lang: str,
          province: str) -> list[dict]:
    """The comparison as table rows, every figure as text in `lang` and every empty one with its reason: per
    problem the indicator, then per area its value (year), gap with the province and direction since the first
    year."""
    out = []
    for row in rows:
        record = {t("compare_col_problem", lang): row.problem.label(lang),
                  t("compare_col_indicator", lang): row.indicator.titled(lang) if row.indicator
                  else t("monitor_no_indicator", lang)}
        decimals = row.indicator.decimals if row.indicator else 0
        for area in areas:
            cell = row.cells.get(area)
            latest = cell.latest if cell else None
            if latest is None:
                why = why_no_value(cell.points) if cell else None  # as /monitor says it
                record[names[area]] = "– (" + (why.text(lang) if why else t("monitor_no_indicator", lang)) + ")"
                continue
            gap = cell.gap
            text = f"{number(latest.value, decimals, lang)} ({year_label(latest.year, latest.reference_year, lang)})"
            if gap.gap is not None and gap.latest_year == latest.year:
                sign = "+" if gap.gap > 0 else ""
                text += " · " + t("compare_gap", lang, gap=sign + number(gap.gap, decimals, lang), province=province)
            direction = t(f"direction_{gap.direction}", lang) if gap.direction != "no_data" else ""
            if direction and gap.first_year != gap.latest_year:
                text += f" · {direction} ({gap.first_year}–{gap.latest_year})"
            record[names[area]] = text
        latest_years = [c.latest.year for c in row.cells.values() if c.latest is not None]
        reference = next((p for p in row.reference if latest_years and p.year == max(latest_years)), None)
        record[province] = (f"{number(reference.value, decimals, lang)} ({reference.year})"
                            if reference is not None and reference.value is not None else
                            "– (" + (reference.why.text(lang) if reference and reference.why else
                                     t("monitor_no_indicator", lang)) + ")")
        out.append(record)
    return out


def chart_rows(rows: list[ComparedProblem], names: dict[str, str], province: str, lang: str) -> list[dict]:
    """Every area's and the province's series, one row per point with a value, for small charts per problem."""
    out = []
    for row in rows:
        lines = [(names[area], cell.points) for area, cell in row.cells.items()] + [(province, row.reference)]
        decimals = row.indicator.decimals if row.indicator else 0
        for name, points in lines:
            out += [{"problem": row.problem.label(lang), "problem_id": row.problem.problem_id, "series": name,
                     "year": p.year, "value": p.value, "text": number(p.value, decimals, lang)}
                    for p in points if p.value is not None]
    return out

