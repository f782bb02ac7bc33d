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
from geo.maps import line_styles

FONT_DIR = Path(os.environ.get("PARKSTAD_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


Lines = list[list[tuple[int, float]]]  # per line (areas, then the province: line_styles.styles): (year, value)


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
    series: list[tuple[str, Lines]]  # per problem: the area's points, then the province's
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
    lang = report.lang
    sources = sorted({r["source"] for r in report.table if r.get("source")})
    pdf, width = _document(report.title, report.region, lang, report.years, sources, "portrait", today)

    _heading(pdf, t("report_table", lang, province=report.province))
    columns = [(t("monitor_col_problem", lang), 0.14), (t("monitor_col_indicator", lang), 0.19),
               (t("monitor_col_latest", lang), 0.17), (report.province, 0.16), (t("monitor_col_gap", lang), 0.14),
               (t("monitor_col_direction", lang), 0.2)]
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
        _room(pdf, CHART_ROOM)
        _heading(pdf, t("monitor_chart", lang, area=report.area_name, province=report.province))
        _legend(pdf, [report.area_name, report.province])
        _charts(pdf, report.series, report.years, lang, width)

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
        _room(pdf, 100)  # the heading with its map
        _heading(pdf, t("report_map", lang, area=report.area_name))
        pdf.set_y(pdf.get_y() + _map(pdf, report.shape, width) + 2)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(width, 3.5, report.attribution, new_x="LMARGIN", new_y="NEXT", align="L")

    _definitions(pdf, report.definitions, lang, width)
    return bytes(pdf.output())


def _document(title: str, region: str, lang: str, years: list[int], sources: list[str], orientation: str,
              today: date | None):
    """An A4 document with its font, title, date, data years and sources; returns it and the text width."""
    from fpdf import FPDF, ViewerPreferences

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    for style, path in font_files().items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator(region)
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)  # the reader shows the title, not a file name
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 7, title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 9)
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    pdf.multi_cell(width, 4.5, t("report_made", lang, date=date_text(today or date.today(), lang), region=region,
                                 years=span), new_x="LMARGIN", new_y="NEXT", align="L")
    if sources:
        pdf.multi_cell(width, 4.5, f"{t('monitor_col_source', lang)}: {'; '.join(sources)}", new_x="LMARGIN",
                       new_y="NEXT", align="L")
    pdf.ln(2)
    return pdf, width


def definition(indicator, year: int, lang: str) -> tuple[str, str, str]:
    """An indicator's name, unit and CBS definition with its source, as the reports list them."""
    note = (indicator.note_in(lang) or "").strip()
    if note and not note.endswith("."):
        note += "."
    source = indicator.source(year, None, lang)
    return (indicator.label(lang), indicator.unit_in(lang),
            " ".join(x for x in (note, t("buurt_figure_source", lang, source=source) if source else "") if x))


def _definitions(pdf, definitions: list[tuple[str, str, str]], lang: str, width: float) -> None:
    _heading(pdf, t("report_definitions", lang))
    for label, unit, text in definitions:
        pdf.set_font("DejaVu", "B", 8)
        pdf.multi_cell(width, 4, label + (f" ({unit})" if unit else ""), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(width, 4, text or "–", new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)


def _room(pdf, height: float) -> None:
    """A new sheet unless `height` mm still fit on this one (a heading stays with what it introduces)."""
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _heading(pdf, text: str) -> None:
    """A section heading, also in the document's outline (a reader's bookmarks: the PDF is not tagged)."""
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    pdf.start_section(text)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(pdf.w - pdf.l_margin - pdf.r_margin, 6, text, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(1)


def _mark(pdf, kind: str, x: float, y: float, size: float) -> None:
    """A point of a line in the shape the page's charts give it (geo.maps.line_styles): filled in the current fill
    colour (the cross in the draw colour)."""
    r = size / 2
    if kind == "circle":
        pdf.ellipse(x - r, y - r, size, size, style="F")
    elif kind == "square":
        pdf.rect(x - r * 0.85, y - r * 0.85, size * 0.85, size * 0.85, style="F")
    elif kind == "triangle-up":
        pdf.polygon([(x, y - r * 1.1), (x + r, y + r * 0.8), (x - r, y + r * 0.8)], style="F")
    elif kind == "triangle-down":
        pdf.polygon([(x, y + r * 1.1), (x + r, y - r * 0.8), (x - r, y - r * 0.8)], style="F")
    elif kind == "diamond":
        pdf.polygon([(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)], style="F")
    else:
        pdf.line(x - r, y - r, x + r, y + r)
        pdf.line(x - r, y + r, x + r, y - r)


def _line(pdf, style, spots: list[tuple[float, float]], width: float, mark: float,
          marked: list[tuple[float, float]] | None = None) -> None:
    """A chart line through `spots` in its colour and dash, with a mark at each spot (or at `marked`)."""
    with pdf.local_context(draw_color=style.rgb, fill_color=style.rgb, line_width=width):
        if style.paper_dash:
            pdf.set_dash_pattern(dash=style.paper_dash[0], gap=style.paper_dash[1])
        for (x1, y1), (x2, y2) in zip(spots, spots[1:], strict=False):
            pdf.line(x1, y1, x2, y2)
        pdf.set_dash_pattern()
        pdf.set_line_width(0.3)
        for x, y in spots if marked is None else marked:
            _mark(pdf, style.shape, x, y, mark)


CHART_BOX = 30  # mm, one small chart
CHART_ROW = CHART_BOX + 10  # a row of charts needs this much room left on its sheet
CHART_ROOM = 7 + 11 + CHART_ROW  # heading, legend (up to two lines) and the first row of charts


def _legend(pdf, names: list[str]) -> None:
    pdf.set_font("DejaVu", "", 8)
    for name, style in zip(names, line_styles.styles(len(names) - 1), strict=True):
        if pdf.get_x() + pdf.get_string_width(name) + 18 > pdf.w - pdf.r_margin:
            pdf.ln(5)
        x, y = pdf.get_x(), pdf.get_y() + 2
        _line(pdf, style, [(x, y), (x + 8, y)], 0.6, 1.8, marked=[(x + 4, y)])
        pdf.set_x(x + 10)
        pdf.cell(pdf.get_string_width(name) + 6, 4, name)
    pdf.ln(6)


def _charts(pdf, charts: list[tuple[str, Lines]], years: list[int], lang: str, width: float) -> None:
    """One small line chart per problem, all its lines on one scale."""
    per_row, gap = 3, 4
    box_w = (width - gap * (per_row - 1)) / per_row
    box_h = CHART_BOX
    first, last = years[0], years[-1]
    top = pdf.get_y()
    for index, (problem, lines) in enumerate(charts):
        if index % per_row == 0:
            _room(pdf, CHART_ROW)
            top = pdf.get_y()
        left = pdf.l_margin + (index % per_row) * (box_w + gap)
        values = [v for line in lines for _, v in line]
        low, high = min(values), max(values)
        if high - low < 1e-9:
            low, high = low - 1, high + 1
        with pdf.local_context():
            _chart(pdf, problem, lines, (left, top, box_w, box_h), (first, last), (low, high), lang)
        if index % per_row == per_row - 1 or index == len(charts) - 1:
            pdf.set_y(top + box_h + 2)


def _chart(pdf, problem: str, lines: Lines, box: tuple[float, float, float, float], years: tuple[int, int],
           scale: tuple[float, float], lang: str) -> None:
    """One problem's chart in its box: title, frame, every line with its dash and point shape, the first and last
    year below, the scale's top and bottom inside."""
    left, top, box_w, box_h = box
    first, last = years
    low, high = scale
    pdf.set_font("DejaVu", "B", 7)
    pdf.set_xy(left, top)
    pdf.cell(box_w, 3.5, problem[:45])
    plot_top, plot_h = top + 4.5, box_h - 9
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    pdf.rect(left, plot_top, box_w, plot_h)

    def place(year: int, value: float) -> tuple[float, float]:
        x = left + 2 + (box_w - 4) * ((year - first) / (last - first) if last > first else 0.5)
        return x, plot_top + plot_h - 1.5 - (plot_h - 3) * (value - low) / (high - low)

    for points, style in reversed(list(zip(lines, line_styles.styles(len(lines) - 1), strict=True))):
        _line(pdf, style, [place(year, value) for year, value in points], 0.5, 1.4)
    pdf.set_font("DejaVu", "", 6)
    pdf.set_text_color(80, 80, 80)
    pdf.set_xy(left, plot_top + plot_h)
    pdf.cell(box_w / 2, 3, str(first))
    pdf.cell(box_w / 2, 3, str(last), align="R")
    pdf.set_xy(left, plot_top - 0.2)
    pdf.cell(box_w - 1, 3, number(high, 1, lang), align="R")
    pdf.set_xy(left, plot_top + plot_h - 3)
    pdf.cell(box_w - 1, 3, number(low, 1, lang), align="R")


def _map(pdf, shape, width: float, box_h: float = 90, left: float | None = None, top: float | None = None) -> float:
    """The area's outline, filled, scaled into a box `width` wide and `box_h` high (longitude shortened by the
    cosine of the latitude), centred; returns the height drawn."""
    import math

    import shapely

    minx, miny, maxx, maxy = shape.bounds
    squeeze = math.cos(math.radians((miny + maxy) / 2))
    span_x, span_y = max((maxx - minx) * squeeze, 1e-9), max(maxy - miny, 1e-9)
    scale = min(width / span_x, box_h / span_y)
    left = (pdf.l_margin if left is None else left) + (width - span_x * scale) / 2
    top = pdf.get_y() if top is None else top
    polygons = list(shape.geoms) if isinstance(shape, shapely.MultiPolygon | shapely.GeometryCollection) else [shape]
    with pdf.local_context(draw_color=line_styles.AREA_LINES[0].rgb, fill_color=(199, 233, 180), line_width=0.4):
        for polygon in polygons:
            if not isinstance(polygon, shapely.Polygon):
                continue
            ring = [(left + (x - minx) * squeeze * scale, top + (maxy - y) * scale)
                    for x, y in polygon.exterior.coords]
            pdf.polygon(ring, style="DF")
    return span_y * scale


def area_shape(data, area: str):
    """The outline of an area of any kind (lon/lat): a priority area's buurten, a group's municipalities, a code's
    own geometry; None when the data has none."""
    import shapely

    from geo.data import domain
    from geo.maps.areas import area_geometry

    regions = domain.regions()
    if area in domain.priority_areas():
        return area_geometry(data, domain.priority_areas()[area])
    if area in regions:
        gemeenten = data.layers["gemeenten"]
        members = gemeenten[gemeenten["gemeentecode"].isin(regions[area].gemeentecodes)]
        return shapely.union_all(members.geometry.values) if len(members) else None
    row = data.row(area)
    return row.geometry if row is not None else None


def report_input(data, area: str, area_name: str, lang: str, items: list, rows: list | None = None) -> ReportInput:
    """Everything the report shows for one area, from the same rules as the page: the monitor's rows
    (geo.maps.monitor.records; `rows` where the page has computed them already), the initiatives working in the
    area per problem (geo.initiatives.filters)."""
    from geo.config import ATTRIBUTION, LICENCE
    from geo.data import domain
    from geo.data.region import current as current_region
    from geo.initiatives import filters as filt
    from geo.maps.monitor import monitor, records

    regions = domain.regions()
    province = regions[domain.province_id()].label(lang)
    rows = monitor(data, area, lang) if rows is None else rows
    table = records(rows, lang, province)
    active = filt.in_area(items, area)
    for record, row in zip(table, rows, strict=True):
        record["initiative_names"] = [item.name for item in filt.for_problem(active, row.problem)]
    series = [(row.problem.label(lang), [[(p.year, p.value) for p in row.points if p.value is not None],
                                         [(p.year, p.value) for p in row.reference if p.value is not None]])
              for row in rows if any(p.value is not None for p in row.points)]
    shape = area_shape(data, area)
    definitions = [definition(row.indicator, data.year, lang) for row in rows if row.indicator is not None]
    return ReportInput(
        title=t("monitor_title", lang, area=area_name, province=province), region=current_region().name.get(lang),
        province=province, area_name=area_name, lang=lang, years=list(data.years), table=table, series=series,
        shape=shape, definitions=list(dict.fromkeys(definitions)),
        attribution=f"{t('tile_attribution', lang)}: {ATTRIBUTION} ({LICENCE})")


@dataclass(frozen=True)
class ComparisonInput:
    title: str
    region: str
    lang: str
    years: list[int]
    columns: list[str]  # the table's columns, as on the page
    rows: list[dict]  # geo.maps.comparison.table
    names: list[str]  # the areas, then the province: the charts' lines
    charts: list[tuple[str, Lines]]
    definitions: list[tuple[str, str, str]]
    initiatives: list[dict]  # per problem: how many initiatives work on it in each area
    shapes: list[tuple[str, object]]  # each area's name and outline
    attribution: str = ""


def comparison_input(data, areas: list[str], names: dict[str, str], lang: str, items: list,
                     compared: list | None = None) -> ComparisonInput:
    """The comparison of `/vergelijk` for paper, from the same rules and rows as the page (`compared`: the page's
    geo.maps.comparison.compare rows, where it has them already)."""
    from geo.config import ATTRIBUTION, LICENCE
    from geo.data import domain
    from geo.data.region import current as current_region
    from geo.initiatives import filters as filt
    from geo.maps import comparison

    province = domain.regions()[domain.province_id()].label(lang)
    compared = comparison.compare(data, areas, lang) if compared is None else compared
    rows = comparison.table(compared, areas, names, lang, province)
    charts = [(row.problem.label(lang), [[(p.year, p.value) for p in row.cells[a].points if p.value is not None]
                                         for a in areas] + [[(p.year, p.value) for p in row.reference
                                                             if p.value is not None]])
              for row in compared if row.cells and any(c.latest for c in row.cells.values())]
    definitions = [definition(row.indicator, data.year, lang) for row in compared if row.indicator is not None]
    return ComparisonInput(
        title=t("compare_report_title", lang, areas=", ".join(names[a] for a in areas)),
        region=current_region().name.get(lang), lang=lang, years=list(data.years),
        columns=list(rows[0]) if rows else [], rows=rows, names=[*(names[a] for a in areas), province],
        charts=charts, definitions=list(dict.fromkeys(definitions)),
        initiatives=filt.counts_per_problem(items, areas, names, lang),
        shapes=[(names[a], area_shape(data, a)) for a in areas],
        attribution=f"{t('tile_attribution', lang)}: {ATTRIBUTION} ({LICENCE})")


def comparison_pdf(report: ComparisonInput, today: date | None = None) -> bytes:
    """The comparison on A4 landscape: the page's table, a chart per problem with every area and the province on
    one scale, the definitions."""
    lang = report.lang
    pdf, width = _document(report.title, report.region, lang, report.years, [], "landscape", today)
    _heading(pdf, t("compare_table", lang, province=report.names[-1]))
    pdf.set_font("DejaVu", "", 7.5)
    shares = [0.14, 0.18] + [0.68 / max(len(report.columns) - 2, 1)] * (len(report.columns) - 2)
    with pdf.table(col_widths=shares, text_align="LEFT", line_height=3.6, width=width, repeat_headings=1) as grid:
        head = grid.row()
        for name in report.columns:
            head.cell(name)
        for record in report.rows:
            row = grid.row()
            for name in report.columns:
                row.cell(str(record.get(name, "")))
    pdf.ln(3)
    if report.charts:
        _room(pdf, CHART_ROOM)
        _heading(pdf, t("compare_charts", lang))
        _legend(pdf, report.names)
        _charts(pdf, report.charts, report.years, lang, width)
    _heading(pdf, t("compare_initiatives", lang))
    pdf.set_font("DejaVu", "", 7.5)
    heads = list(report.initiatives[0]) if report.initiatives else []
    with pdf.table(col_widths=[0.32] + [0.68 / max(len(heads) - 1, 1)] * (len(heads) - 1), text_align="LEFT",
                   line_height=3.6, width=width) as grid:
        for record in [dict(zip(heads, heads, strict=True)), *report.initiatives]:
            row = grid.row()
            for name in heads:
                row.cell(str(record[name]))
    pdf.ln(3)
    drawn = [(name, shape) for name, shape in report.shapes if shape is not None]
    if drawn:
        _room(pdf, 80)  # the heading with its maps
        _heading(pdf, t("compare_maps", lang))
        box_w, top = (width - 6 * (len(drawn) - 1)) / len(drawn), pdf.get_y()
        heights = []
        for index, (name, shape) in enumerate(drawn):
            left = pdf.l_margin + index * (box_w + 6)
            pdf.set_font("DejaVu", "B", 8)
            pdf.set_xy(left, top)
            pdf.cell(box_w, 4, name[:50])
            heights.append(_map(pdf, shape, box_w, 60, left=left, top=top + 5))
        pdf.set_y(top + 5 + max(heights) + 2)
        pdf.set_font("DejaVu", "", 7)
        pdf.multi_cell(width, 3.5, report.attribution, new_x="LMARGIN", new_y="NEXT", align="L")
    _definitions(pdf, report.definitions, lang, width)
    return bytes(pdf.output())
