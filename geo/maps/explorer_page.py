"""Everything the map explorer shows for one view, computed in one go.

None of it depends on the visitor, only on the cache generation and the view (level, scope, indicator, year,
change, reference, classification, language), so the page computes it once per generation and view and shares
it between all sessions (a cache in the page), instead of once per run. The results are read, never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.data.area_data import AreaData
from geo.data.layers import LAYERS
from geo.export import csv_bytes
from geo.i18n import number, t
from geo.maps import explorer
from geo.maps.choropleth import Choropleth, build_choropleth, legend_rows
from geo.maps.explorer import View
from geo.maps.missing import Missing
from geo.maps.print_table import print_table


@dataclass(frozen=True)
class ExplorerPage:
    available: frozenset[str]  # indicators with a value at this level in this year
    not_comparable: Missing | None  # why the reference cannot be compared, if it cannot
    choropleth: Choropleth
    legend: list[dict]
    missing_summary: list[tuple[str, int]]  # the legend's note: reason and how many areas
    ranking: pd.DataFrame
    references: pd.DataFrame
    ranking_csv: bytes  # the ranking as downloaded (the level's own code column name)
    ranking_columns: dict[str, str]  # column of the ranking -> its heading, in the order shown
    ranking_print: str  # the whole ranking as an HTML table for paper (geo.maps.print_table)


NUMERIC = ("value", "reference", "difference", "change")


def ranking_columns(area_data: AreaData, view: View, ranking: pd.DataFrame) -> dict[str, str]:
    """The ranking's columns as the page shows them, with their headings in the view's language."""
    lang = view.lang
    columns = {"rank": t("col_rank", lang), "name": t("col_name", lang), "code": t("col_code", lang),
               "gemeente": t("col_gemeente", lang), "value": area_data.catalogue[view.indicator].titled(lang)}
    if view.level == "gemeente":
        del columns["gemeente"]
    if "difference" in ranking:
        columns |= {"reference": t("col_reference", lang), "difference": t("col_difference", lang)}
    if "change" in ranking:
        columns |= {"change": f"{t('col_change', lang)} {view.change}–{view.year}", "changed": t("col_changed", lang)}
    if ranking["why"].astype(bool).any():
        columns["why"] = t("col_why", lang)
    return columns


def ranking_print(area_data: AreaData, view: View, ranking: pd.DataFrame, columns: dict[str, str]) -> str:
    decimals = area_data.catalogue[view.indicator].decimals
    rows = [{heading: number(record[key], decimals, view.lang) if key in NUMERIC else record[key]
             for key, heading in columns.items()} for record in ranking.to_dict(orient="records")]
    return print_table(rows, list(columns.values()), [columns[k] for k in NUMERIC if k in columns],
                       caption=t("ranking", view.lang))


def explorer_page(area_data: AreaData, view: View) -> ExplorerPage:
    year_data = area_data.for_year(view.year)
    choropleth = build_choropleth(area_data, view)
    ranking = explorer.ranking(area_data, view, choropleth.missing)
    columns = ranking_columns(area_data, view, ranking)
    return ExplorerPage(
        available=frozenset(i.id for i in area_data.catalogue.available(year_data.layers[view.layer])),
        not_comparable=explorer.comparison_unavailable(area_data, view),
        choropleth=choropleth,
        legend=legend_rows(choropleth, view.lang),
        missing_summary=explorer.missing_summary(choropleth.missing, view.lang),
        ranking=ranking,
        references=explorer.reference_rows(area_data, view),
        ranking_csv=csv_bytes(ranking.rename(columns={"code": LAYERS[view.layer].key})),
        ranking_columns=columns,
        ranking_print=ranking_print(area_data, view, ranking, columns),
    )
