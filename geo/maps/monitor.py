"""The councillor's monitor: for one area, each Regio Deal problem with its headline indicator, the Limburg
average, the gap and whether it has closed since the first data year.

The headline indicator of a problem is the first one in the catalogue (data/indicators.csv order) that
has a value for the area in some year, rates and shares before counts (a count has no average to close
on); a problem with none says so, with the gap text of
data/problems.csv where the open data cannot give it.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.data import domain
from geo.data.area_data import AreaData
from geo.data.domain import Problem
from geo.data.indicators import Indicator
from geo.maps.trend import Gap, TrendPoint, area_kind, gap_over_time, series


@dataclass(frozen=True)
class MonitorRow:
    problem: Problem
    indicator: Indicator | None
    points: list[TrendPoint]  # the area, every data year
    reference: list[TrendPoint]  # the province, every data year
    gap: Gap | None

    @property
    def latest(self) -> TrendPoint | None:
        """The point the latest value comes from."""
        year = self.gap.latest_year if self.gap else None
        return next((p for p in self.points if p.year == year), None)

    @property
    def latest_source(self) -> str | None:
        return self.latest.source if self.latest else None


def default_area() -> str:
    """The region's first group (Parkstad), else its first municipality."""
    return (domain.group_ids() or domain.focus_codes())[0]


def area_options(data: AreaData) -> list[str]:
    """What the monitor can show: the region's groups, priority areas, municipalities and their wijken."""
    wijken = data.layers["wijken"]
    focus = domain.focus_codes()
    return [*domain.group_ids(), *domain.priority_areas(), *focus,
            *wijken.loc[wijken["gemeentecode"].isin(focus), "wijkcode"].tolist()]


def monitor(data: AreaData, area: str, lang: str = "nl") -> list[MonitorRow]:
    area_kind(data, area)  # raises UnknownArea with a message
    rows = []
    for problem in domain.problems().values():
        candidates = sorted(data.catalogue.for_problem(problem.problem_id), key=lambda i: i.kind == "count")
        chosen, points = None, []
        for indicator in candidates:
            found = series(data, area, indicator.id, lang)
            if any(p.value is not None for p in found):
                chosen, points = indicator, found
                break
        if chosen is None:
            rows.append(MonitorRow(problem, candidates[0] if candidates else None, [], [], None))
            continue
        reference = series(data, domain.province_id(), chosen.id, lang)
        rows.append(MonitorRow(problem, chosen, points, reference, gap_over_time(points, reference, chosen)))
    return rows
