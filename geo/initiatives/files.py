"""Initiatives in and out of files: CSV and XLSX rows in, CSV, XLSX and GeoJSON out.

Exports neutralise spreadsheet formulas (geo.export); reading a file undoes exactly that
neutralisation, so export followed by import gives back what was stored.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from geo.export import restore, safe_frame
from geo.initiatives.placement import Placer
from geo.initiatives.schema import COLUMNS, Initiative

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000


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
    return [{(k or "").strip(): (v or "") for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_rows(content: bytes) -> list[dict]:
    try:
        frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl").fillna("")
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileProblem(f"the XLSX file cannot be read ({type(exc).__name__})") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.to_dict(orient="records")


def frame(items: list[Initiative]) -> pd.DataFrame:
    table = pd.DataFrame([item.as_row() for item in items], columns=list(COLUMNS))
    for column in ("status_as_of", "start_year", "end_year"):
        table[column] = table[column].astype("Int64")  # years, not 2023.0
    table["budget_eur"] = pd.Series(
        [None if pd.isna(v) else int(v) if float(v).is_integer() else v for v in table["budget_eur"]], dtype=object)
    return table


def to_csv(items: list[Initiative]) -> bytes:
    return safe_frame(frame(items)).to_csv(index=False).encode("utf-8-sig")


def to_xlsx(items: list[Initiative]) -> bytes:
    buffer = io.BytesIO()
    safe_frame(frame(items)).to_excel(buffer, index=False, sheet_name="initiatieven")
    return buffer.getvalue()


def to_geojson(items: list[Initiative], placer: Placer) -> bytes:
    """Points by the placement rule; region-wide initiatives have a null geometry (listed, not pinned)."""
    features = []
    for item in items:
        placement = placer.place(item)
        geometry = ({"type": "Point", "coordinates": [placement.lon, placement.lat]} if placement.pinned else None)
        properties = {**item.model_dump(), "placement": placement.basis}
        features.append({"type": "Feature", "id": item.initiative_id, "geometry": geometry,
                         "properties": properties})
    collection = {"type": "FeatureCollection", "features": features,
                  "attribution": "Initiatieven: zie source_url per initiatief; grenzen CBS, Kadaster/PDOK"}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")


EXPORTERS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "geojson": "application/geo+json"}


def export(items: list[Initiative], fmt: str, placer: Placer | None) -> bytes:
    if fmt == "csv":
        return to_csv(items)
    if fmt == "xlsx":
        return to_xlsx(items)
    if fmt == "geojson":
        if placer is None:
            raise ValueError("GeoJSON needs the boundary data to place initiatives")
        return to_geojson(items, placer)
    raise ValueError(f"unknown format {fmt!r}")
