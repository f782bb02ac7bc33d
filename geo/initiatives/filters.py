"""Filtering initiatives by what staff and councillors ask for, with the filters kept in the URL."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from geo.data import domain
from geo.data.region import programmes_for
from geo.i18n import t
from geo.initiatives.schema import STATUSES, Initiative

YEAR_MIN, YEAR_MAX = 2000, 2040


def fold(text: str) -> str:
    """Lower case without accents, for searching ("Maria Gewanden" finds "maria gewänden")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


@dataclass(frozen=True)
class Filters:
    themes: tuple[str, ...] = ()
    area: str | None = None
    gemeente: str | None = None
    statuses: tuple[str, ...] = ()
    programme: str | None = None
    q: str = ""
    start: tuple[int, int] | None = None  # start-year range, inclusive

    def params(self) -> dict[str, str]:
        out = {"theme": ",".join(self.themes), "area": self.area or "", "gemeente": self.gemeente or "",
               "status": ",".join(self.statuses), "programme": self.programme or "", "q": self.q,
               "start": f"{self.start[0]}-{self.start[1]}" if self.start else ""}
        return {k: v for k, v in out.items() if v}

    @property
    def active(self) -> bool:
        return self != Filters()

    def file_name(self, day: date, extension: str, gemeente_name: str | None = None) -> str:
        """A download's name that says what was filtered and when: initiatieven-wonen-heerlen-noord-2026-12-03.csv
        (themes, priority area, municipality, statuses, programme, search words, start years; ASCII only)."""
        parts = [*self.themes, self.area or "", gemeente_name or self.gemeente or "", *self.statuses,
                 self.programme or "", self.q, f"{self.start[0]}-{self.start[1]}" if self.start else ""]
        words = [slug for slug in (_slug(part) for part in parts) if slug]
        stem = "-".join(["initiatieven", *words])[:90].rstrip("-")
        return f"{stem}-{day.isoformat()}.{extension}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


@dataclass
class FilterNotice:
    param: str
    given: str


@dataclass
class Options:
    """What the filters may hold, from the data in hand."""

    programmes: list[str]
    gemeenten: list[str]
    areas: list[str] = field(default_factory=lambda: list(domain.priority_areas()))


def parse_filters(params: Mapping[str, str | list[str]], options: Options) -> tuple[Filters, list[FilterNotice]]:
    """`theme=wonen,zorg` or `theme=wonen&theme=zorg`; unknown values are dropped with a notice."""
    notices: list[FilterNotice] = []

    def values(name: str) -> list[str]:
        raw = params.get(name)
        items = raw if isinstance(raw, list) else [raw] if raw else []
        return [v.strip() for item in items for v in str(item).split(",") if v.strip()]

    def keep(name: str, allowed) -> list[str]:
        good = []
        for value in values(name):
            if value in allowed:
                good.append(value)
            else:
                notices.append(FilterNotice(name, value[:60]))
        return list(dict.fromkeys(good))

    themes = keep("theme", domain.themes())
    statuses = keep("status", STATUSES)
    area = (keep("area", options.areas) or [None])[0]
    gemeente = (keep("gemeente", options.gemeenten) or [None])[0]
    programme = (keep("programme", options.programmes) or [None])[0]
    q = " ".join(values("q"))[:100]
    start = None
    raw_start = values("start")
    if raw_start:
        try:
            low, high = (int(x) for x in raw_start[0].split("-", 1))
            if not YEAR_MIN <= low <= high <= YEAR_MAX:
                raise ValueError
            start = (low, high)
        except ValueError:
            notices.append(FilterNotice("start", raw_start[0][:20]))
    return Filters(tuple(themes), area, gemeente, tuple(statuses), programme, q, start), notices


def matches(item: Initiative, filters: Filters) -> bool:
    if filters.themes and not set(filters.themes) & set(item.theme_ids):
        return False
    if filters.statuses and item.status not in filters.statuses:
        return False
    if filters.programme and item.programme != filters.programme:
        return False
    if filters.gemeente and filters.gemeente not in item.gemeentecodes:
        return False
    if filters.area and not works_in(item, filters.area):
        return False
    if filters.start and (item.start_year is None or not filters.start[0] <= item.start_year <= filters.start[1]):
        return False
    if filters.q:
        haystack = fold(" ".join([item.name, item.programme, item.description_nl, " ".join(item.partners),
                                  item.initiative_id]))
        if not all(word in haystack for word in fold(filters.q).split()):
            return False
    return True


def apply(items: list[Initiative], filters: Filters) -> list[Initiative]:
    return [item for item in items if matches(item, filters)]


def options_for(items: list[Initiative]) -> Options:
    return Options(
        programmes=sorted({i.programme for i in items}),
        gemeenten=sorted({c for i in items for c in i.gemeentecodes} | set(domain.focus_codes())),
    )


@dataclass
class Summary:
    count: int
    budget_total: float
    with_budget: int


def summary(items: list[Initiative]) -> Summary:
    budgets = [i.budget_eur for i in items if i.budget_eur is not None]
    return Summary(len(items), float(sum(budgets)), len(budgets))


def per_gemeente(items: list[Initiative]) -> pd.DataFrame:
    """Initiatives and budget per municipality; a budget shared by several municipalities is split evenly."""
    rows: dict[str, dict] = {}
    for item in items:
        share = len(item.gemeentecodes) or 1
        for code in item.gemeentecodes:
            row = rows.setdefault(code, {"gemeentecode": code, "initiatives": 0, "budget_eur": 0.0, "with_budget": 0})
            row["initiatives"] += 1
            if item.budget_eur is not None:
                row["budget_eur"] += item.budget_eur / share
                row["with_budget"] += 1
    return pd.DataFrame(list(rows.values()), columns=["gemeentecode", "initiatives", "budget_eur", "with_budget"])


def per_area(items: list[Initiative]) -> dict[str, int]:
    """Initiatives per priority area, counted as everywhere else (`works_in`)."""
    return {area_id: len(in_area(items, area_id)) for area_id in domain.priority_areas()}


MEASURES = {"initiatives": "init_per_area", "budget_per_inhabitant": "init_budget_per_inhabitant"}  # -> label key
MEASURE_DECIMALS = {"initiatives": 0, "budget_per_inhabitant": 2}


def action_per_gemeente(data, items: list[Initiative], codes: list[str]) -> pd.DataFrame:
    """Per municipality the action: number of initiatives and known budget per inhabitant (missing when the
    number of inhabitants is unknown)."""
    counts = per_gemeente(items).set_index("gemeentecode")
    rows = []
    for code in codes:
        row = data.row(code)
        if row is None:
            continue
        inhabitants = row.get("aantal_inwoners")
        budget = float(counts.at[code, "budget_eur"]) if code in counts.index else 0.0
        rows.append({
            "gemeentecode": code, "name": str(row["gemeentenaam"]),
            "initiatives": int(counts.at[code, "initiatives"]) if code in counts.index else 0,
            "budget_per_inhabitant": budget / inhabitants if inhabitants and inhabitants > 0 else None,
        })
    return pd.DataFrame(rows, columns=["gemeentecode", "name", "initiatives", "budget_per_inhabitant"])


def need_vs_action(data, items: list[Initiative], indicator_id: str, codes: list[str]) -> pd.DataFrame:
    """Per municipality: the need (an indicator), the action (initiatives, budget per inhabitant)."""
    table = action_per_gemeente(data, items, codes)
    if table.empty:
        return table
    table.insert(2, "need", [pd.to_numeric(data.row(c).get(indicator_id), errors="coerce")
                             for c in table["gemeentecode"]])
    need, action = table["need"], table["initiatives"]
    table["high_need_low_action"] = (need > need.median()) & (action < action.median())
    return table


def programmes_by_area(items: list[Initiative]) -> dict[str, list[str]]:
    """The programmes the current initiatives of each priority area belong to, in order of appearance."""
    out: dict[str, list[str]] = {}
    for item in items:
        if item.area_id and item.programme not in out.setdefault(item.area_id, []):
            out[item.area_id].append(item.programme)
    return out


def area_programmes(area_id: str, gemeentecode: str, by_area: dict[str, list[str]],
                    with_groups: bool = True) -> list[str]:
    """The programmes working in a priority area, each once: the region's programme for priority areas (and,
    with_groups, its groups' such as the Regio Deal), then those of the area's initiatives. Names that differ
    only in case or spacing are one programme."""
    region_wide = programmes_for(gemeentecode, True)
    names = [*(region_wide if with_groups else region_wide[:1]), *by_area.get(area_id, [])]
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(" ".join(name.split()).casefold(), " ".join(name.split()))
    return list(unique.values())


def works_in(item: Initiative, area: str) -> bool:
    """The one definition of "an initiative in an area", used by every page, count and filter: a region or
    municipality (by municipality), a priority area (by its id or its buurten), a wijk (by its buurten or a
    priority area inside it) or a buurt."""
    regions, areas = domain.regions(), domain.priority_areas()
    if area in regions:
        return bool(set(regions[area].gemeentecodes) & set(item.gemeentecodes))
    if area in areas:
        return item.area_id == area or bool(set(areas[area].buurtcodes) & set(item.buurtcodes))
    if area.startswith("GM"):
        return area in item.gemeentecodes
    if area.startswith("WK"):
        digits = area[2:]
        inside = {a for a, d in areas.items() if any(c[2:8] == digits for c in d.buurtcodes)}
        return any(c[2:8] == digits for c in item.buurtcodes) or item.area_id in inside
    return area in item.buurtcodes


def in_area(items: list[Initiative], area: str) -> list[Initiative]:
    """Initiatives working in an area (`works_in`)."""
    return [item for item in items if works_in(item, area)]


def filters_for(area: str, problem: domain.Problem | None = None) -> Filters | None:
    """The filters of /initiatieven that list exactly the initiatives `works_in` counts for an area (and, given a
    problem, whose themes work on it); None for an area the list cannot be filtered on (a group, a wijk, a buurt)."""
    themes = tuple(problem.initiative_themes) if problem else ()
    if area in domain.priority_areas():
        return Filters(themes=themes, area=area)
    if area.startswith("GM"):
        return Filters(themes=themes, gemeente=area)
    return None


def for_problem(items: list[Initiative], problem: domain.Problem) -> list[Initiative]:
    """Initiatives whose themes work on a Regio Deal problem (data/problems.csv: initiative_themes)."""
    themes = set(problem.initiative_themes)
    return [i for i in items if themes & set(i.theme_ids)]


def counts_per_problem(items: list[Initiative], areas: list[str], names: dict[str, str], lang: str) -> list[dict]:
    """Per Regio Deal problem, how many initiatives work on it in each area (`works_in` and the problem's themes):
    the comparison's table on /vergelijk and in its PDF."""
    working = {area: in_area(items, area) for area in areas}
    return [{t("compare_col_problem", lang): problem.label(lang),
             **{names[a]: len(for_problem(working[a], problem)) for a in areas}}
            for problem in domain.problems().values()]
