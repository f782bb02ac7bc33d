"""The Netherlands as a reference: CBS's own national figures ("Nederland", code NL01) from the StatLine table of
Kerncijfers wijken en buurten of each data year (data/national_tables.csv), mapped to the catalogue's ids
(data/national_columns.csv; StatLine counts per age group or household type become the shares PDOK gives).

A figure CBS publishes for the whole country is not an aggregate of the municipalities the app loads, so it
needs no coverage: it is there for a year, or the year has none (said as such). Table ids other than 2019's and
2024's, and the keys of tables other than 2024's, could not be seen here: `pytest --web` checks them live.
"""

from __future__ import annotations

import csv
import math
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geo.config import DEFINITIONS_DIR
from geo.data.normalize import SENTINEL_MAX
from geo.data.pdok import NotFound, PdokClient, RetryPolicy, SourceError
from geo.data.statline import KEY_SUFFIX, period_dates

TABLE = "nederland"  # the cache's name for the national rows, one per data year
REFERENCE = "nederland"  # the reference id in URLs (`ref=nederland`) and trend lines
NATIONAL_CODE = re.compile(r"^NL\d{2}$")


@lru_cache(maxsize=2)
def tables(directory: Path = DEFINITIONS_DIR) -> dict[int, str]:
    with open(directory / "national_tables.csv", newline="", encoding="utf-8") as fh:
        return {int(row["year"]): row["table"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=2)
def columns(directory: Path = DEFINITIONS_DIR) -> list[dict[str, str]]:
    with open(directory / "national_columns.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _number(value) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or number <= SENTINEL_MAX else number


def national_row(raw: dict, year: int) -> dict:
    """One StatLine row (OData keys such as `AantalInwoners_5`) as catalogue ids, for `year`."""
    stems = {KEY_SUFFIX.sub("", str(key)): value for key, value in raw.items()}
    out: dict[str, object] = {"code": "NL", "period": f"{year}JJ00"}
    for column in columns():
        value = _number(stems.get(column["key"]))
        if column["share_of"]:
            base = _number(stems.get(column["share_of"]))
            value = 100 * value / base if value is not None and base else None
        out[column["indicator"]] = value
    return out


def as_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        raise SourceError("no national row ('Nederland') in the Kerncijfers tables")
    frame = pd.DataFrame(rows)
    frame["date"] = period_dates(frame["period"])
    return frame


def read_odata(years: list[int], base_url: str, policy: RetryPolicy | None = None) -> pd.DataFrame:
    """The `Nederland` row of each year's table, one small OData query per year."""
    client = PdokClient(base_url, policy)
    rows = []
    for year in years:
        table = tables().get(year)
        if table is None:
            continue
        try:
            page = client.get_json(f"{client.base_url}/{table}/TypedDataSet",
                                   {"$format": "json", "$filter": "startswith(WijkenEnBuurten,'NL')"})
        except NotFound:  # that year's table is not there: that year has no national figure, the others may
            continue
        values = page.get("value") if isinstance(page, dict) else None
        if not isinstance(values, list):
            raise SourceError(f"{table}: the OData answer has no 'value' list")
        hit = next((v for v in values if NATIONAL_CODE.match(str(v.get("WijkenEnBuurten", "")).strip())), None)
        if hit is not None:
            rows.append(national_row(hit, year))
    return as_frame(rows)


def read_extracts(folder: Path, years: list[int]) -> pd.DataFrame:
    """The same from local extracts `statline/<table>_*.csv` (OData keys as columns), where they hold the row."""
    rows = []
    for year in years:
        table = tables().get(year)
        for path in sorted(folder.glob(f"{table}_*.csv")) if table else []:
            if "DataProperties" in path.name:
                continue
            try:
                frame = pd.read_csv(path, dtype=str, sep=None, engine="python")
            except (OSError, ValueError, pd.errors.ParserError) as exc:
                raise SourceError(f"cannot read StatLine extract {path.name}: {exc}") from exc
            if "WijkenEnBuurten" not in frame.columns:  # a tidy extract of some areas: no national row
                continue
            codes = frame["WijkenEnBuurten"].astype(str).str.strip()
            hits = frame[codes.str.match(NATIONAL_CODE.pattern).fillna(False)]
            if len(hits):
                rows.append(national_row(hits.iloc[0].to_dict(), year))
                break
    return as_frame(rows)
