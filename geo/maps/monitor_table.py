"""The monitor table as HTML: every cell either a figure or the reason it is empty, columns that wrap instead
of being cut (whole at 1,400 px and on A4 paper), and every value from data escaped."""

from __future__ import annotations

from html import escape

from geo.i18n import t
from geo.maps.line_styles import AREA_LINES

STYLE = """<style>
.monitor-table { border-collapse: collapse; width: 100%; table-layout: auto; font-size: 0.9rem; }
.monitor-table th, .monitor-table td { border-bottom: 1px solid #c8c8c8; padding: 0.35rem 0.45rem;
  text-align: left; vertical-align: top; overflow-wrap: break-word; hyphens: auto; }
.monitor-table thead th { background: #f0f2f6; color: #1f1f1f; font-weight: 600; hyphens: manual; }
.monitor-table tbody th { font-weight: 600; min-width: 7rem; }
.monitor-table td.num { text-align: right; white-space: nowrap; }
.monitor-table td.year { white-space: nowrap; }
.monitor-table .why { display: block; color: #3d3d3d; font-size: 0.82rem; white-space: normal; text-align: left; }
.monitor-table .source { display: block; color: #3d3d3d; font-size: 0.78rem; margin-top: 0.2rem; }
.monitor-table svg { display: block; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  .monitor-table { font-size: 8pt; }
  .monitor-table th, .monitor-table td { padding: 2pt 3pt; }
  .monitor-table .why, .monitor-table .source { font-size: 7pt; }
  .monitor-table tr { break-inside: avoid; }
}
</style>"""


def sparkline(values: list[float], width: int = 80, height: int = 22) -> str:
    """A tiny line of the area's values (decorative: the figures are in the table and the chart)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = " ".join(f"{2 + i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
                      for i, v in enumerate(values))
    return (f'<svg width="{width}" height="{height}" aria-hidden="true" focusable="false">'
            f'<polyline points="{points}" fill="none" stroke="{AREA_LINES[0].colour}" stroke-width="1.5"/></svg>')


def _figure(text: str, why: str, link: str | None = None, link_text: str = "") -> str:
    cell = escape(text)
    if why:
        cell += f'<span class="why">{escape(why)}</span>'
    if link:
        cell += f'<span class="why"><a href="{escape(link, quote=True)}" target="_self">{escape(link_text)}</a></span>'
    return cell


def monitor_table_html(records: list[dict], province: str, lang: str) -> str:
    """The monitor's rows (geo.maps.monitor.records, plus `initiatives` and optional `latest_link`). The column
    for the Netherlands is left out when no row has a national figure (the page says so once)."""
    country = any(r["national"] is not None for r in records)
    headings = [t("monitor_col_problem", lang), t("monitor_col_indicator", lang), t("monitor_col_latest", lang),
                t("monitor_col_year", lang), province, t("monitor_col_gap", lang),
                *([t("nederland_short", lang)] if country else []),
                t("monitor_col_direction", lang), t("monitor_col_trend", lang), t("monitor_col_initiatives", lang),
                t("monitor_col_note", lang)]
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = []
    for r in records:
        indicator = r["indicator"] + (f" ({r['unit']})" if r["unit"] else "")
        latest = r["latest_text"] + (f" ({r['coverage']})" if r["coverage"] and r["latest"] is not None else "")
        level_link = None
        if r.get("latest_link") and r.get("latest_level"):
            level_link = t("monitor_finest_link", lang, level=t(f"missing_level_{r['latest_level']}", lang))
        cells = [
            f'<th scope="row">{escape(r["problem"])}</th>',
            f'<td>{escape(indicator)}<span class="source">{escape(r["source"])}</span></td>',
            f'<td class="num">{_figure(latest, r["latest_why"], r.get("latest_link"), level_link or "")}</td>',
            f'<td class="year">{escape(r["year_text"])}</td>',
            f'<td class="num">{_figure(r["reference_text"], r["reference_why"])}</td>',
            f'<td class="num">{_figure(r["gap_text"], r["gap_why"])}</td>',
            *([f'<td class="num">{_figure(r["national_text"], r["national_why"])}</td>'] if country else []),
            f"<td>{escape(r['direction_text'])}</td>",
            f"<td>{sparkline(r['trend'])}</td>",
            f'<td class="num">{int(r.get("initiatives", 0))}</td>',
            f"<td>{escape(r['note'])}</td>",
        ]
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = escape(t("monitor_table_caption", lang, province=province))
    return (f'{STYLE}<table class="monitor-table" lang="{escape(lang)}">'
            f'<caption style="text-align:left;caption-side:top">{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
