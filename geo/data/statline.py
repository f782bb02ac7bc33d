"""A small reader for CBS StatLine tables: a local CSV extract, or the live OData v3 API.

Both give one tidy frame: `code` (GM/WK/BU code, spaces stripped), `period` (e.g. 2013MM03),
`date` (first day of that month or year), then numeric columns with suppressed values missing.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.config import DEFINITIONS_DIR
from geo.data.normalize import SENTINEL_MAX, snake_case
from geo.data.pdok import PdokClient, RetryPolicy, SourceError

DEFAULT_ODATA_URL = "https://opendata.cbs.nl/ODataApi/OData"
DEFAULT_DATADERDEN_URL = "https://dataderden.cbs.nl/ODataApi/OData"  # third-party tables: Politie, RIVM
BENEFIT_TABLE = "85586NED"
_PERIOD = re.compile(r"^(\d{4})(MM|KW|JJ)(\d{2})$")
KEY_SUFFIX = re.compile(r"_\d+$")  # OData keys end in a column number: AantalInwoners_5
TEXT = {"code", "soort", "period", "naam"}


def odata_url(catalog: str = "cbs") -> str:
    """CBS's own OData ($CBS_ODATA_URL) or its third-party catalogue ($CBS_DATADERDEN_URL)."""
    if catalog == "dataderden":
        return (os.environ.get("CBS_DATADERDEN_URL") or DEFAULT_DATADERDEN_URL).rstrip("/")
    return (os.environ.get("CBS_ODATA_URL") or DEFAULT_ODATA_URL).rstrip("/")


@dataclass(frozen=True)
class TableDefinition:
    """One StatLine table the sync fetches (data/statline_tables.csv)."""

    table: str
    catalog: str  # "cbs" or "dataderden"
    frequency: str  # "quarterly" or "annual"
    dimensions: tuple[tuple[str, str], ...]  # dimension key values that select the rows we want
    title: str
    url: str
    note: str = ""

    def odata_filter(self, digits: str) -> str:
        # keys are padded with spaces in TypedDataSet, so match dimension values by prefix
        parts = [f"substringof('{digits}',WijkenEnBuurten)"]
        parts += [f"startswith({key},'{value}')" for key, value in self.dimensions]
        return " and ".join(parts)


@lru_cache(maxsize=4)
def table_definitions(directory: Path = DEFINITIONS_DIR) -> dict[str, TableDefinition]:
    with open(directory / "statline_tables.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for row in rows:
        dims = tuple(tuple(part.split("=", 1)) for part in row["dimensions"].split(";") if "=" in part)
        out[row["table"]] = TableDefinition(row["table"], row["catalog"], row["frequency"], dims,
                                            row["title"], row["url"], row.get("note", ""))
    return out


def period_start(period: str) -> pd.Timestamp | None:
    """StatLine period codes: 2024MM03 (month), 2024KW01 (quarter), 2024JJ00 (year)."""
    match = _PERIOD.match(str(period).strip())
    if not match:
        return None
    year, kind, number = int(match[1]), match[2], int(match[3])
    month = {"MM": number, "KW": 3 * number - 2, "JJ": 1}[kind]
    if not 1 <= month <= 12:
        return None
    return pd.Timestamp(year=year, month=month, day=1)


def period_dates(periods: pd.Series) -> pd.Series:
    """The first day of each period code (2024JJ00, 2024MM03, 2024KW01), as dates."""
    return pd.to_datetime(periods.map(period_start))


@lru_cache(maxsize=4)
def column_map(table: str, directory: Path = DEFINITIONS_DIR) -> dict[str, str]:
    """CBS OData keys (e.g. Bijstandsuitkering_6) to our column names, from data/statline_columns.csv."""
    with open(directory / "statline_columns.csv", newline="", encoding="utf-8") as fh:
        return {row["key"]: row["column"] for row in csv.DictReader(fh) if row["table"] == table}


def tidy(frame: pd.DataFrame, columns: dict[str, str] | None = None,
         dimensions: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    for key, value in dimensions:  # a server may ignore the filter: select the rows here too
        if key in frame.columns:
            frame = frame[frame[key].astype("string").str.strip() == value]
    frame = frame.drop(columns=[key for key, _ in dimensions], errors="ignore")
    frame = frame.drop(columns=["Codering_3"], errors="ignore").rename(columns=columns or {})
    frame = frame.rename(columns={"WijkenEnBuurten": "code", "Perioden": "period", "RegioS": "code"})
    frame = frame.rename(columns={c: _column_name(c) for c in frame.columns})
    if "code" not in frame.columns or "period" not in frame.columns:
        raise SourceError("StatLine table has no region code or period column")
    frame["code"] = frame["code"].astype("string").str.strip()
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["period"] = frame["period"].astype("string").str.strip()
    frame["date"] = period_dates(frame["period"])
    for column in frame.columns:
        if column not in TEXT and column not in ("date", "id"):
            values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
            frame[column] = values.mask(values <= SENTINEL_MAX)
    return frame.drop(columns=["id"], errors="ignore").sort_values(["code", "date"]).reset_index(drop=True)


def _column_name(key: str) -> str:
    return key if key in TEXT else snake_case(KEY_SUFFIX.sub("", key))


def read_csv(path: Path, table: str | None = None) -> pd.DataFrame:
    """A local extract: tidy names, or the OData keys of `table` (mapped and filtered like the API's)."""
    definition = table_definitions().get(table) if table else None
    dims = {key: "string" for key, _ in definition.dimensions} if definition else {}
    try:
        frame = pd.read_csv(path, dtype={"code": "string", "Perioden": "string", "period": "string",
                                         "WijkenEnBuurten": "string", **dims})
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read StatLine extract {path.name}: {exc}") from exc
    return tidy(frame, column_map(table) if table else None, definition.dimensions if definition else ())


def read_odata(table: str, odata_filter: str | None = None, base_url: str | None = None,
               policy: RetryPolicy | None = None) -> pd.DataFrame:
    """`{base}/{table}/TypedDataSet`, following `odata.nextLink` pages."""
    if not re.fullmatch(r"\d{5}[A-Z]{3}", table):
        raise SourceError(f"not a StatLine table id: {table!r}")
    definition = table_definitions().get(table)
    client = PdokClient(base_url or odata_url(definition.catalog if definition else "cbs"), policy)
    url: str | None = f"{client.base_url}/{table}/TypedDataSet"
    params = {"$format": "json", **({"$filter": odata_filter} if odata_filter else {})}
    rows: list[dict] = []
    seen = set()
    while url:
        page = client.get_json(url, params)
        values = page.get("value") if isinstance(page, dict) else None
        if not isinstance(values, list):
            raise SourceError(f"{table}: the OData answer has no 'value' list")
        rows += values
        url, params = page.get("odata.nextLink"), None
        if url in seen:
            raise SourceError(f"{table}: OData paging loops")
        seen.add(url)
    return tidy(pd.DataFrame(rows), column_map(table), definition.dimensions if definition else ())


def read_for_municipalities(table: str, gemeentecodes: list[str], base_url: str | None = None,
                            policy: RetryPolicy | None = None) -> pd.DataFrame:
    """Rows of the municipalities, their wijken and buurten (one filtered OData query each)."""
    definition = table_definitions().get(table)
    parts = []
    for code in gemeentecodes:
        digits = code[2:6]
        odata_filter = definition.odata_filter(digits) if definition else f"substringof('{digits}',WijkenEnBuurten)"
        part = read_odata(table, odata_filter, base_url, policy)
        parts.append(part[part["code"].str[2:6] == digits])  # the substring also matches unrelated codes
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def benefit_series(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """The quarterly benefit series of one area: date, counts and shares of inhabitants aged 15+."""
    rows = frame[frame["code"] == code]
    columns = [c for c in ("ww_aantal", "bijstand_aantal", "ao_aantal", "aow_aantal",
                           "ww_pct", "bijstand_pct", "ao_pct", "aow_pct", "inwoners_15plus") if c in rows]
    return rows[["period", "date", *columns]].reset_index(drop=True)


def latest(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per code, the most recent period with a value for `column` (code, period, value)."""
    present = frame[frame[column].notna()].sort_values("date")
    last = present.groupby("code", as_index=False).tail(1)
    return last[["code", "period", column]].rename(columns={column: "value"}).reset_index(drop=True)


def annual_values(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows of one calendar year (period YYYYJJ00) of an annual table: code and its value columns."""
    if frame is None or frame.empty or "period" not in frame:
        return pd.DataFrame(columns=["code"])
    rows = frame[frame["period"] == f"{year}JJ00"]
    values = [c for c in rows.columns if c not in (*TEXT, "date")]
    return rows[["code", *values]].drop_duplicates("code").reset_index(drop=True)
