"""Initiatives in and out of files: CSV and XLSX rows in, CSV, XLSX and GeoJSON out.

Exports neutralise spreadsheet formulas (geo.export); reading a file undoes exactly that
neutralisation, so export followed by import gives back what was stored.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from geo.data import domain
from geo.export import restore, safe_frame
from geo.i18n import t
from geo.initiatives.placement import Placer
from geo.initiatives.schema import COLUMNS, Initiative, finite_or_none

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_XLSX_MEMBERS = 200  # parts in the zip: a workbook has a dozen or so
MAX_XLSX_UNPACKED = 50_000_000  # bytes of XML; 5,000 rows of initiatives take a few MB
MAX_XLSX_RATIO = 100  # unpacked / packed per part; ordinary sheet XML compresses 5-20 times
MAX_XLSX_COLUMNS = 200


class FileProblem(ValueError):
    """The file itself cannot be read (format, size, encoding, header); the message is for the user."""


def read_rows(content: bytes, filename: str) -> list[dict]:
    """Rows of a CSV (UTF-8, `,` or `;`) or XLSX file as dicts of strings."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileProblem(f"the file is {len(content) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB")
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(content)
    elif suffix == ".xlsx":
        rows = _xlsx_rows(content)
    else:
        raise FileProblem(f"{Path(filename).name}: use a .csv or .xlsx file")
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"the file has {len(rows)} rows; the limit is {MAX_ROWS}")
    if not rows:
        raise FileProblem("the file has no data rows")
    missing = [c for c in ("initiative_id", "name", "programme", "theme_ids", "status", "source_url")
               if c not in rows[0]]
    if missing:
        raise FileProblem(f"missing column(s): {', '.join(missing)}")
    return [{k: restore(v) for k, v in row.items()} for row in rows]


def _csv_rows(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblem("the CSV file is not UTF-8 text") from exc
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [{(k or "").strip(): (v or "") for k, v in row.items()}
                for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:  # a field over 128 KiB, NUL bytes
        raise FileProblem(f"the CSV file cannot be read ({exc})") from exc


def check_archive(content: bytes) -> None:
    """Refuse an XLSX whose zip would unpack to far more than a sheet of initiatives (a zip bomb), before
    any XML is parsed: member count, total unpacked size and compression ratio, from the zip directory."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileProblem("the XLSX file cannot be read (not a valid .xlsx archive)") from exc
    if len(members) > MAX_XLSX_MEMBERS:
        raise FileProblem(f"the XLSX file has {len(members)} parts; a spreadsheet of initiatives has far fewer "
                          f"(at most {MAX_XLSX_MEMBERS})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_XLSX_UNPACKED:
        raise FileProblem(f"the XLSX file unpacks to {unpacked / 1e6:,.0f} MB; the limit is "
                          f"{MAX_XLSX_UNPACKED / 1e6:.0f} MB (is it really a list of initiatives?)")
    for m in members:
        if m.file_size > 1_000_000 and m.file_size > MAX_XLSX_RATIO * max(m.compress_size, 1):
            raise FileProblem(f"the XLSX file is compressed {m.file_size / max(m.compress_size, 1):,.0f} times "
                              f"in {m.filename}; that is not a spreadsheet of initiatives")


def _xlsx_rows(content: bytes) -> list[dict]:
    """The first sheet's rows, read lazily: reading stops at the row cap instead of loading everything.
    (zipfile never unpacks a member beyond the size its directory declares, so the check above holds.)"""
    check_archive(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            lines = sheet.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS)
            header = [_cell(v).strip() for v in next(lines, ())]
            rows = []
            for values in lines:
                if len(rows) >= MAX_ROWS:
                    raise FileProblem(f"the file has more than {MAX_ROWS} rows; the limit is {MAX_ROWS}")
                cells = [_cell(v) for v in values]
                if any(cells):
                    rows.append({h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h})
        finally:
            book.close()
    except FileProblem:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileProblem(f"the XLSX file cannot be read ({type(exc).__name__})") from exc
    return rows


def _cell(value) -> str:
    """A cell as text, as a CSV would hold it: whole numbers without .0, empty for none."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    return str(value)


LABEL_COLUMNS = ("status_label", "theme_labels")  # for readers, in the page's language; an import ignores them


def labels(item: Initiative, lang: str) -> dict[str, str]:
    """The status and themes of an initiative in words (the ids stay in their own columns for re-import)."""
    themes = domain.themes()
    return {"status_label": t(f"status_{item.status}", lang),
            "theme_labels": "; ".join(themes[tid].label(lang) for tid in item.theme_ids if tid in themes)}


def frame(items: list[Initiative], lang: str | None = None) -> pd.DataFrame:
    """The import layout (COLUMNS), plus status and themes in words when `lang` is given."""
    rows = [{k: finite_or_none(v) for k, v in item.as_row().items()} | (labels(item, lang) if lang else {})
            for item in items]
    table = pd.DataFrame(rows, columns=[*COLUMNS, *(LABEL_COLUMNS if lang else ())])
    for column in ("status_as_of", "start_year", "end_year"):
        table[column] = table[column].astype("Int64")  # years, not 2023.0
    table["budget_eur"] = pd.Series(
        [None if pd.isna(v) else int(v) if float(v).is_integer() else v for v in table["budget_eur"]], dtype=object)
    return table


def to_csv(items: list[Initiative], lang: str | None = None) -> bytes:
    return safe_frame(frame(items, lang)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(items: list[Initiative], lang: str | None = None) -> bytes:
    """Characters a worksheet cannot hold (control characters stored before they were refused) become U+FFFD."""
    buffer = io.BytesIO()
    table = safe_frame(frame(items, lang)).map(
        lambda v: ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v)
    table.to_excel(buffer, index=False, sheet_name="initiatieven")
    return buffer.getvalue()


def to_geojson(items: list[Initiative], placer: Placer, lang: str | None = None) -> bytes:
    """Points by the placement rule; region-wide initiatives have a null geometry (listed, not pinned)."""
    features = []
    for item in items:
        placement = placer.place(item)
        geometry = ({"type": "Point", "coordinates": [placement.lon, placement.lat]} if placement.pinned else None)
        properties = {**{k: finite_or_none(v) for k, v in item.model_dump().items()}, "placement": placement.basis,
                      **(labels(item, lang) if lang else {})}
        features.append({"type": "Feature", "id": item.initiative_id, "geometry": geometry,
                         "properties": properties})
    collection = {"type": "FeatureCollection", "features": features,
                  "attribution": "Initiatieven: zie source_url per initiatief; grenzen CBS, Kadaster/PDOK"}
    return json.dumps(collection, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")


EXPORTERS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "geojson": "application/geo+json"}


def export(items: list[Initiative], fmt: str, placer: Placer | None, lang: str | None = None) -> bytes:
    """Initiatives as CSV, XLSX or GeoJSON; with `lang`, status and themes also in words in that language."""
    if fmt == "csv":
        return to_csv(items, lang)
    if fmt == "xlsx":
        return to_xlsx(items, lang)
    if fmt == "geojson":
        if placer is None:
            raise ValueError("GeoJSON needs the boundary data to place initiatives")
        return to_geojson(items, placer, lang)
    raise ValueError(f"unknown format {fmt!r}")
