"""Data and sources (`/over`): layers, indicator definitions, area definitions, how to refresh."""

from __future__ import annotations

import streamlit as st

from app_pages.common import data, source_label, tr
from geo.data import domain, statline
from geo.data.sync import table_names
from geo.i18n import date_text, link_target, literal, number
from geo.maps.explorer import LEVELS

area_data = data()
lang = st.session_state.get("lang", "nl")
manifest = area_data.manifest

st.title(tr("about_title"))
st.markdown(
    f"**{literal(tr('about_source'))}:** {literal(source_label(manifest))}  \n"
    f"**{literal(tr('about_year'))}:** {manifest['year']}  \n"
    f"{literal(tr('over_years', years=', '.join(map(str, area_data.years))))}  \n"
    f"**{literal(tr('about_fetched'))}:** {literal(date_text(manifest['fetched_at'], lang))}  \n"
    f"**{literal(tr('about_licence'))}:** [{literal(manifest['licence'])}]({link_target(manifest['licence_url'])}), "
    f"{literal(tr('attribution'))}"
)

st.header(tr("about_layers"))
st.dataframe(
    [{tr("about_layer"): name, tr("about_features"): layer["features"],
      tr("about_municipalities"): layer.get("municipalities"), tr("about_source"): source_label(manifest),
      tr("about_year"): manifest["year"], tr("about_licence"): manifest["licence"]}
     for name, layer in manifest["layers"].items()],
    hide_index=True, width="stretch",
)

for table, info in (manifest.get("tables") or {}).items():
    if info.get("kept"):
        status = tr("over_table_kept", rows=info["rows"], date=date_text(info.get("fetched_at", "?"), lang))
    elif info.get("file"):
        status = tr("over_table_rows", rows=info["rows"], date=date_text(info.get("fetched_at", "?"), lang))
    else:
        status = f"– ({tr('not_available_since')})"
    st.caption(f"{literal(table_names(table)[1])}: {literal(status)}")

st.header(tr("about_indicators"))
available = {level: {i.id for i in area_data.catalogue.available(area_data.layers[layer])}
             for level, layer in LEVELS.items()}
st.dataframe(
    [{"id": ind.id, tr("indicator"): ind.label(lang), tr("col_unit"): ind.unit_name(lang),
      tr("col_kind"): tr(f"kind_{ind.kind}"),
      tr("col_direction"): tr(f"direction_{ind.direction}"),
      tr("col_aggregation"): tr(f"aggregation_{ind.aggregation}")
      + (f" ({area_data.catalogue[ind.weight].label(lang)})" if ind.weight in area_data.catalogue else ""),
      tr("col_reference_year"): tr("reference_year_lag", lag=ind.reference_lag) if ind.reference_lag
      else tr("reference_year_same"),
      tr("col_available"): " / ".join("✓" if ind.id in available[level] else "–" for level in LEVELS),
      tr("col_dataset"): ind.dataset + (f": {ind.formula}" if ind.formula else ""), tr("col_note"): ind.note_in(lang)}
     for ind in area_data.catalogue],
    hide_index=True, width="stretch",
)
st.caption(tr("over_aggregation_rule"))

st.header(tr("over_problems"))
st.caption(tr("over_problems_help"))
st.dataframe(
    [{tr("monitor_col_problem"): problem.label(lang), tr("over_col_finest"): tr(f"level_{problem.finest_level}"),
      tr("over_col_indicators"): "; ".join(
          ind.label(lang) + (f" ({tr('monitor_proxy')})" if ind.proxy else "") + f" [{ind.dataset}]"
          for ind in area_data.catalogue.for_problem(problem.problem_id)) or tr("monitor_no_indicator"),
      tr("over_col_gap"): problem.gap(lang)}
     for problem in domain.problems().values()],
    hide_index=True, width="stretch",
)
st.caption(" · ".join(f"{d.table}: {d.title} ({d.url})" for d in statline.table_definitions().values()))

st.header(tr("about_areas"))
st.dataframe(
    [{"id": a.area_id, tr("col_name"): a.name, tr("col_gemeente"): a.gemeentenaam,
      tr("card_buurten"): " ".join(a.buurtcodes), tr("col_precision"): tr("precision_label_" + a.precision),
      tr("card_definition"): a.definition_in(lang), tr("card_source"): a.source_url}
     for a in domain.priority_areas().values()],
    hide_index=True, width="stretch",
    column_config={tr("card_source"): st.column_config.LinkColumn()},
)
regions = domain.regions()
st.caption(" · ".join(f"{r.name}: {len(r.gemeentecodes)} ({r.source_url})" for r in regions.values()))

st.header(tr("about_refresh"))
st.write(tr("about_refresh_text"))
st.code("python -m geo sync            # PDOK (PDOK_API_URL for a mirror)\n"
        "python -m geo sync --source ../shared/pdok-snapshot\n"
        "python -m geo sync --source wijkenbuurten_2024.gpkg\n"
        "python -m geo info", language="bash")
st.caption(f"{number(sum(layer['features'] for layer in manifest['layers'].values()), 0, lang)} "
           f"{tr('about_features').lower()}")
