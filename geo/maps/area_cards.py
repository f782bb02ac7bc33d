"""Figures on the priority-area cards: key indicators of an area against the Limburg average."""

from __future__ import annotations

from geo.data import domain
from geo.data.area_data import AreaData
from geo.i18n import number, period_text, t
from geo.maps.areas import AreaSummary
from geo.maps.missing import why_aggregate_missing


def card_figures(data: AreaData, summary: AreaSummary, lang: str) -> list[dict]:
    """Rows for the key indicators that have a value for the area: area, Limburg, coverage."""
    rows = []
    for ind in data.catalogue.key_indicators():
        figure = summary.figures.get(ind.id)
        if figure is None or figure.aggregate.value is None or ind.aggregation == "none":
            continue
        limburg = data.region_aggregate(domain.province_id(), ind.id)
        province = domain.regions()[domain.province_id()].label(lang)
        agg = figure.aggregate
        if ind.kind == "count":
            reference = t("card_count_not_compared", lang)
        elif limburg.value is None:
            why = why_aggregate_missing(data, limburg, "gemeenten", ind.id, data.year, lang)
            reference = f"– ({why.text(lang)})" if why else "–"
        else:
            reference = number(limburg.value, ind.decimals, lang)
        rows.append({
            t("indicator", lang): ind.label(lang),
            summary.definition.name: number(agg.value, ind.decimals, lang),
            province: reference,
            t("monitor_col_source", lang): ind.source(data.year, period_text(data.benefit_period, lang), lang),
            t("col_unit", lang): ind.unit_in(lang),
            t("col_coverage", lang): t("coverage", lang, covered=agg.covered, members=agg.members)
            + f" {t('level_' + figure.basis.removesuffix('en'), lang).lower()}",
        })
    return rows
