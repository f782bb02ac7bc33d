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
from geo.maps import explorer
from geo.maps.choropleth import Choropleth, build_choropleth, legend_rows
from geo.maps.explorer import View
from geo.maps.missing import Missing


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


def explorer_page(area_data: AreaData, view: View) -> ExplorerPage:
    year_data = area_data.for_year(view.year)
    choropleth = build_choropleth(area_data, view)
    ranking = explorer.ranking(area_data, view, choropleth.missing)
    return ExplorerPage(
        available=frozenset(i.id for i in area_data.catalogue.available(year_data.layers[view.layer])),
        not_comparable=explorer.comparison_unavailable(area_data, view),
        choropleth=choropleth,
        legend=legend_rows(choropleth, view.lang),
        missing_summary=explorer.missing_summary(choropleth.missing, view.lang),
        ranking=ranking,
        references=explorer.reference_rows(area_data, view),
        ranking_csv=csv_bytes(ranking.rename(columns={"code": LAYERS[view.layer].key})),
    )
