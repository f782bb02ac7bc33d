"""The monitor of one area as a PDF report for the council (A4, in the page's language), made on the server with
fpdf2: title, date, data years and sources, the monitor table (the same rows as the page: geo.maps.monitor.records),
a trend chart per problem, the initiatives per problem, a map of the area and the definitions of the indicators.

Text is set in DejaVu Sans (Debian package fonts-dejavu-core; `PARKSTAD_PDF_FONT_DIR` points elsewhere), so Dutch
and German text, "€", "–" and quotation marks come out as written. Nothing from data is interpreted: fpdf2 writes
text, never markup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geo.i18n import date_text, number, t

FONT_DIR = Path(os.environ.get("PARKSTAD_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
AREA_COLOUR, PROVINCE_COLOUR = (37, 52, 148), (117, 112, 179)


class ReportUnavailable(RuntimeError):
    """The report cannot be made here (its font is missing); the message says what to install."""


@dataclass(frozen=True)
class ReportInput:
    title: str
    region: str
    province: str
    area_name: str
    lang: str
    years: list[int]
    table: list[dict]  # geo.maps.monitor.records, each with "initiatives" (names) added
    series: list[tuple[str, list[tuple[int, float]], list[tuple[int, float]]]]  # problem, area points, province
    shape: object | None  # shapely geometry of the area (lon/lat), for the map
    definitions: list[tuple[str, str, str]]  # indicator label, unit, CBS definition
    attribution: str


def font_files() -> dict[str, Path]:
    files = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    missing = [str(path) for path in files.values() if not path.exists()]
    if missing:
        raise ReportUnavailable(f"the report font is missing ({', '.join(missing)}): install the Debian package "
                                "fonts-dejavu-core or set PARKSTAD_PDF_FONT_DIR")
    return files


def monitor_pdf(report: ReportInput, today: date | None = None) -> bytes:
    from fpdf import FPDF

    lang, today = report.lang, today or date.today()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    for style, path in font_files().items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(report.title)
    pdf.set_lang(lang)
    pdf.set_creator(report.region)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 7, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    years = f"{report.years[0]}–{report.years[-1]}" if len(report.years) > 1 else str(report.years[0])
    sources = sorted({r["source"] for r in report.table if r.get("source")})
    pdf.multi_cell(width, 4.5, t("report_made", lang, date=date_text(today, lang), region=report.region, years=years),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 4.5, f"{t('monitor_col_source', lang)}: {'; '.join(sources)}", new_x="LMARGIN",
                   new_y="NEXT")
    pdf.ln(2)

    _heading(pdf, t("report_table", lang, province=report.province))
    columns = [(t("monitor_col_problem", lang), 0.2), (t("monitor_col_indicator", lang), 0.24),
               (t("monitor_col_latest", lang), 0.13), (report.province, 0.11), (t("monitor_col_gap", lang), 0.1),
               (t("monitor_col_direction", lang), 0.22)]
    pdf.set_font("DejaVu", "", 7.5)
    with pdf.table(col_widths=[share for _, share in columns], text_align="LEFT", line_height=3.6,
                   width=width, repeat_headings=1) as grid:
        head = grid.row()
        for name, _ in columns:
            head.cell(name)
        for record in report.table:
            latest = (f"{record['latest_text']} ({record['year_text']})" if record["latest"] is not None
                      else f"– ({record['latest_why']})")
            reference = (record["reference_text"] if record["reference"] is not None
                         else f"– ({record['reference_why']})")
            gap = record["gap_text"] if record["gap"] is not None else f"– ({record['gap_why']})"
            row = grid.row()
            for text in (record["problem"], record["indicator"] + (f" ({record['unit']})" if record["unit"] else ""),
                         latest, reference, gap, record["direction_text"]):
                row.cell(text)
    pdf.ln(3)

    if report.series:
        _heading(pdf, t("monitor_chart", lang, area=report.area_name, province=report.province))
        _legend(pdf, report.area_name, report.province)
        _charts(pdf, report, width)

    _heading(pdf, t("monitor_initiatives", lang))
    pdf.set_font("DejaVu", "", 8.5)
    for record in report.table:
        names = record.get("initiative_names") or []
        listed = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
        pdf.set_font("DejaVu", "B", 8.5)
        pdf.write(4.2, f"{record['problem']} ({len(names)}): ")
        pdf.set_font("DejaVu", "", 8.5)
        pdf.write(4.2, listed or t("monitor_none_initiatives", lang))
        pdf.ln(5)

    if report.shape is not None:
        _heading(pdf, t("report_map", lang, area=report.area_name))
        _map(pdf, report.shape, width)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(width, 3.5, report.attribution, new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, t("report_definitions", lang))
    for label, unit, definition in report.definitions:
        pdf.set_font("DejaVu", "B", 8)
        pdf.multi_cell(width, 4, label + (f" ({unit})" if unit else ""), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(width, 4, definition or "–", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def _heading(pdf, text: str) -> None:
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(pdf.w - pdf.l_margin - pdf.r_margin, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _legend(pdf, area: str, province: str) -> None:
    pdf.set_font("DejaVu", "", 8)
    for name, colour, dashed in ((area, AREA_COLOUR, False), (province, PROVINCE_COLOUR, True)):
        x, y = pdf.get_x(), pdf.get_y() + 2
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.6)
        if dashed:
            pdf.set_dash_pattern(dash=1.5, gap=1)
        pdf.line(x, y, x + 8, y)
        pdf.set_dash_pattern()
        pdf.set_x(x + 10)
        pdf.cell(pdf.get_string_width(name) + 6, 4, name)
    pdf.ln(6)


def _charts(pdf, report: ReportInput, width: float) -> None:
    """One small line chart per problem: the area (solid) and the province (dashed), on one scale per problem."""
    per_row, gap = 3, 4
    box_w = (width - gap * (per_row - 1)) / per_row
    box_h = 30
    first, last = report.years[0], report.years[-1]
    for index, (problem, own, province) in enumerate(report.series):
        if index % per_row == 0:
            if pdf.get_y() + box_h + 10 > pdf.h - pdf.b_margin:
                pdf.add_page()
            top = pdf.get_y()
        left = pdf.l_margin + (index % per_row) * (box_w + gap)
        values = [v for _, v in own + province]
        low, high = min(values), max(values)
        if high - low < 1e-9:
            low, high = low - 1, high + 1
        pdf.set_font("DejaVu", "B", 7)
        pdf.set_xy(left, top)
        pdf.cell(box_w, 3.5, problem[:45])
        plot_top, plot_h = top + 4.5, box_h - 9
        pdf.set_draw_color(190, 190, 190)
        pdf.set_line_width(0.2)
        pdf.rect(left, plot_top, box_w, plot_h)

        def place(year: int, value: float, left=left, plot_top=plot_top, plot_h=plot_h, low=low, high=high):
            x = left + 2 + (box_w - 4) * ((year - first) / (last - first) if last > first else 0.5)
            return x, plot_top + plot_h - 1.5 - (plot_h - 3) * (value - low) / (high - low)

        for points, colour, dashed in ((province, PROVINCE_COLOUR, True), (own, AREA_COLOUR, False)):
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.5)
            if dashed:
                pdf.set_dash_pattern(dash=1.2, gap=0.8)
            spots = [place(year, value) for year, value in points]
            for (x1, y1), (x2, y2) in zip(spots, spots[1:], strict=False):
                pdf.line(x1, y1, x2, y2)
            pdf.set_dash_pattern()
            pdf.set_fill_color(*colour)
            for x, y in spots:
                pdf.ellipse(x - 0.6, y - 0.6, 1.2, 1.2, style="F")
        pdf.set_font("DejaVu", "", 6)
        pdf.set_text_color(80, 80, 80)
        pdf.set_xy(left, plot_top + plot_h)
        pdf.cell(box_w / 2, 3, str(first))
        pdf.cell(box_w / 2, 3, str(last), align="R")
        pdf.set_xy(left, plot_top - 0.2)
        pdf.cell(box_w - 1, 3, number(high, 1, report.lang), align="R")
        pdf.set_text_color(0, 0, 0)
        if index % per_row == per_row - 1 or index == len(report.series) - 1:
            pdf.set_y(top + box_h + 2)


def _map(pdf, shape, width: float) -> None:
    """The area's outline, filled, scaled to fit 90 mm high (longitude shortened by the cosine of the latitude)."""
    import math

    import shapely

    minx, miny, maxx, maxy = shape.bounds
    squeeze = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max((maxx - minx) * squeeze, 1e-9), max(maxy - miny, 1e-9)
    box_h = 90
    if pdf.get_y() + box_h > pdf.h - pdf.b_margin:
        pdf.add_page()
    scale = min(width / span_x, box_h / span_y)
    left = pdf.l_margin + (width - span_x * scale) / 2
    top = pdf.get_y()
    pdf.set_draw_color(*AREA_COLOUR)
    pdf.set_fill_color(199, 233, 180)
    pdf.set_line_width(0.4)
    polygons = list(shape.geoms) if isinstance(shape, shapely.MultiPolygon | shapely.GeometryCollection) else [shape]
    for polygon in polygons:
        if not isinstance(polygon, shapely.Polygon):
            continue
        ring = [(left + (x - minx) * squeeze * scale, top + (maxy - y) * scale) for x, y in polygon.exterior.coords]
        pdf.polygon(ring, style="DF")
    pdf.set_y(top + span_y * scale + 2)


def report_input(data, area: str, area_name: str, lang: str, items: list) -> ReportInput:
    """Everything the report shows for one area, from the same rules as the page: the monitor's rows
    (geo.maps.monitor.records), the initiatives working in the area per problem (geo.initiatives.filters)."""
    import shapely

    from geo.config import ATTRIBUTION, LICENCE
    from geo.data import domain
    from geo.data.region import current as current_region
    from geo.initiatives import filters as filt
    from geo.maps.areas import area_geometry
    from geo.maps.monitor import monitor, records

    regions = domain.regions()
    province = regions[domain.province_id()].label(lang)
    rows = monitor(data, area, lang)
    table = records(rows, lang, province)
    active = filt.in_area(items, area)
    for record, row in zip(table, rows, strict=True):
        record["initiative_names"] = [item.name for item in filt.for_problem(active, row.problem)]
    series = [(row.problem.label(lang), [(p.year, p.value) for p in row.points if p.value is not None],
               [(p.year, p.value) for p in row.reference if p.value is not None])
              for row in rows if any(p.value is not None for p in row.points)]
    if area in domain.priority_areas():
        shape = area_geometry(data, domain.priority_areas()[area])
    elif area in regions:
        gemeenten = data.layers["gemeenten"]
        members = gemeenten[gemeenten["gemeentecode"].isin(regions[area].gemeentecodes)]
        shape = shapely.union_all(members.geometry.values) if len(members) else None
    else:
        row = data.row(area)
        shape = row.geometry if row is not None else None
    definitions = [(row.indicator.label(lang), row.indicator.unit_in(lang),
                    " ".join(x for x in (row.indicator.note_in(lang), row.indicator.source(data.year, None, lang))
                             if x)) for row in rows if row.indicator is not None]
    return ReportInput(
        title=t("monitor_title", lang, area=area_name, province=province), region=current_region().name.get(lang),
        province=province, area_name=area_name, lang=lang, years=list(data.years), table=table, series=series,
        shape=shape, definitions=list(dict.fromkeys(definitions)),
        attribution=f"{t('tile_attribution', lang)}: {ATTRIBUTION} ({LICENCE})")
