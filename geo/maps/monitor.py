"""The councillor's monitor: for one area, each Regio Deal problem with its headline indicator, the Limburg
average, the gap and whether it has closed since the first data year.

The headline indicator of a problem is the first one in the catalogue (data/indicators.csv order) that
has a value for the area in some year, rates and shares before counts (a count has no average to close
on); a problem with none says so, with the gap text of
data/problems.csv where the open data cannot give it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.data import domain
from geo.data.area_data import AreaData
from geo.data.domain import Problem
from geo.data.indicators import Indicator
from geo.data.national import REFERENCE as NATIONAL
from geo.i18n import number, t
from geo.maps.missing import Missing
from geo.maps.trend import Gap, TrendPoint, area_kind, gap_over_time, series, why_no_value, year_label


@dataclass(frozen=True)
class MonitorRow:
    problem: Problem
    indicator: Indicator | None
    points: list[TrendPoint]  # the area, every data year
    reference: list[TrendPoint]  # the province, every data year
    gap: Gap | None
    national: list[TrendPoint] = field(default_factory=list)  # the Netherlands (CBS's figure), every data year

    @property
    def latest(self) -> TrendPoint | None:
        """The point the latest value comes from."""
        year = self.gap.latest_year if self.gap else None
        return next((p for p in self.points if p.year == year), None)

    @property
    def latest_source(self) -> str | None:
        return self.latest.source if self.latest else None

    @property
    def why_empty(self) -> Missing | None:
        """Why the area has no value at all: the latest year's reason, unless some year has the figure at a
        coarser level (then that, so that the page can link to the level that has it)."""
        return None if self.latest is not None else why_no_value(self.points)

    def reference_point(self, year: int | None) -> TrendPoint | None:
        return next((p for p in self.reference if p.year == year), None)


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
        reference_id = domain.province_id()
        chosen = fallback = None  # (indicator, the area's series, the province's series)
        for indicator in candidates:  # first one compared with the province in some year, else first with a value
            found = series(data, area, indicator.id, lang)
            if not any(p.value is not None for p in found):
                continue
            reference = series(data, reference_id, indicator.id, lang)
            if any(p.value is not None and r.value is not None for p, r in zip(found, reference, strict=True)):
                chosen = (indicator, found, reference)
                break
            fallback = fallback or (indicator, found, reference)
        chosen = chosen or fallback
        if chosen is None:  # no figure for the area in any year: still the province's, and why the area has none
            first = candidates[0] if candidates else None
            points = series(data, area, first.id, lang) if first else []
            reference = series(data, reference_id, first.id, lang) if first else []
            rows.append(MonitorRow(problem, first, points, reference, None))
            continue
        indicator, points, reference = chosen
        country = series(data, NATIONAL, indicator.id, lang)
        rows.append(MonitorRow(problem, indicator, points, reference, gap_over_time(points, reference, indicator),
                               country))
    return rows


def _text(value: float | None, decimals: int, lang: str, signed: bool = False) -> str:
    text = number(value, decimals, lang)
    return f"+{text}" if signed and value is not None and value > 0 else text


def records(rows: list[MonitorRow], lang: str, province: str) -> list[dict]:
    """The monitor as table rows: each figure as a number and as text, and beside every empty figure why
    (`*_why`). The page, its CSV and any report use these same rows."""
    out = []
    for row in rows:
        indicator, gap = row.indicator, row.gap
        decimals = indicator.decimals if indicator else 0
        latest = row.latest
        reference = row.reference_point(latest.year) if latest else None
        record = {
            "problem": row.problem.label(lang),
            "indicator_id": indicator.id if indicator else "",
            "indicator": (indicator.label(lang) + (f" ({t('monitor_proxy', lang)})" if indicator.proxy else ""))
            if indicator else t("monitor_no_indicator", lang),
            "unit": indicator.unit_in(lang) if indicator else "",
            "latest": latest.value if latest else None,
            "year": latest.year if latest else None,
            "reference_year": latest.reference_year if latest else None,
            "reference": gap.reference if gap else None,
            "gap": gap.gap if gap else None,
            "direction": gap.direction if gap else "no_data",
            "standing": gap.standing if gap else "neutral",
            "since": gap.first_year if gap else None,
            "coverage": t("coverage", lang, covered=latest.covered, members=latest.members)
            if latest is not None and latest.members is not None else "",
            "trend": [p.value for p in row.points if p.value is not None],
            "source": latest.source if latest else "",
            "note": row.problem.gap(lang) or (t("monitor_proxy_note", lang) if indicator and indicator.proxy else ""),
            "decimals": decimals,
        }
        country = next((p for p in row.national if latest and p.year == latest.year), None)
        record["national"] = country.value if country else None
        record["national_text"] = _text(record["national"], decimals, lang)
        record["national_why"] = "" if record["national"] is not None else (
            country.why.text(lang) if country and country.why else t("monitor_why_no_area_value", lang))
        empty = row.why_empty
        record["latest_why"] = "" if latest else (empty.text(lang) if empty else t("monitor_no_indicator", lang))
        record["latest_level"] = empty.finest_level if empty else None
        record["latest_level_year"] = empty.year if empty and empty.finest_level else None
        record["province_year"] = None  # set when the province's figure is of another year than the area's
        if latest is None:  # no figure for the area: still show the province's latest, with its year
            own = next((p for p in reversed(row.reference) if p.value is not None), None)
            record["reference"] = own.value if own else None
            record["province_year"] = own.year if own else None
            last = next((p.why for p in reversed(row.reference) if p.why is not None), None)
            record["reference_why"] = "" if own else (last.text(lang) if last else
                                                      t("monitor_why_no_reference_at_all", lang, province=province))
            record["gap_why"] = t("monitor_why_no_area_value", lang)
        elif record["reference"] is None:
            why = reference.why if reference else None
            record["reference_why"] = why.text(lang) if why else t("missing_no_year", lang, year=latest.year)
            record["gap_why"] = t("monitor_why_no_reference", lang, province=province)
        else:
            record["reference_why"] = record["gap_why"] = ""
        if record["direction"] == "no_data":
            one_year = gap is not None and gap.first_year is not None
            if latest is None:
                record["direction_text"] = t("monitor_no_course", lang)
            elif one_year:
                record["direction_text"] = t("monitor_why_one_year", lang, province=province)
            else:
                record["direction_text"] = record["gap_why"] or t("monitor_why_no_common", lang, province=province)
        else:
            record["direction_text"] = t(f"direction_{record['direction']}", lang) + (
                f" ({record['since']}–{record['year']})" if record["since"] != record["year"] else "")
        if record["standing"] != "neutral":
            record["direction_text"] += " · " + t(f"standing_{record['standing']}", lang, province=province)
        record["year_text"] = year_label(record["year"], record["reference_year"], lang)
        record["latest_text"] = _text(record["latest"], decimals, lang)
        record["reference_text"] = _text(record["reference"], decimals, lang) + (
            f" ({record['province_year']})" if record["province_year"] and record["reference"] is not None else "")
        record["gap_text"] = _text(record["gap"], decimals, lang, signed=True)
        out.append(record)
    return out


EXPORT_OMITS = ("trend", "decimals", "latest_link", "latest_level_year")


def export_frame(table: list[dict]) -> pd.DataFrame:
    """The monitor's rows as the CSV download has them: the same numbers as the page, and the reasons."""
    return pd.DataFrame([{k: v for k, v in r.items() if k not in EXPORT_OMITS} for r in table])
