"""The Leefbaarometer 3.0 (Ministry of the Interior, BZK): liveability scores per buurt and measurement year.

Source: the open-data download `open-data-leefbaarometer-meting-2024.zip` (CC0; $LEEFBAAROMETER_URL), which
holds `Leefbaarometer-scores buurten 2002-2024.csv` with the columns `bu_code, jaar, lbm, afw, fys, onv, soc,
vrz, won`: the total score `lbm`, its deviation from the national mean `afw` (the sum of the five dimension
scores) and the five dimensions physical environment, unsafety, social cohesion, facilities and housing stock.
Those columns are given (issue 19) and checked live by `pytest --web`; the files for wijken and gemeenten
(`Leefbaarometer-scores wijken|gemeenten ...csv`, code columns `wk_code`/`gm_code`) and the separator and decimal
mark could not be seen here: they are read when present and in either Dutch or English CSV conventions, and
said to be unverified in data/datasets.csv.

The Leefbaarometer's own nine classes (1 zeer onvoldoende … 9 uitstekend, `kscore`) are not in the download; they
come from its WFS ($LEEFBAAROMETER_WFS_URL, `geo.leefbaarometer.nl/lbm3/ows`), layers `lbm3:buurtscore24`, `22`
and `20` with the properties `id` (BU code), `year` and `kscore` (issue 19; checked live by `pytest --web`).

The result is one tidy table like an annual StatLine table (`code`, `period` YYYYJJ00, `date`, then the seven
scores under the indicator ids of data/indicators.csv), so that each measurement year joins the data year of
the same number.
"""

from __future__ import annotations

import io
import os
import re
import zipfile

import pandas as pd

from geo.data.pdok import SourceError
from geo.data.statline import period_dates

TABLE = "leefbaarometer"
DEFAULT_URL = "https://www.leefbaarometer.nl/resources/open-data-leefbaarometer-meting-2024.zip"
COLUMNS = {  # source column -> indicator id (data/indicators.csv)
    "lbm": "lbm_score", "afw": "lbm_afwijking", "fys": "lbm_fysieke_omgeving", "onv": "lbm_onveiligheid",
    "soc": "lbm_sociale_samenhang", "vrz": "lbm_voorzieningen", "won": "lbm_woningvoorraad",
}
CODE_COLUMNS = ("bu_code", "wk_code", "gm_code")
MEMBER = re.compile(r"(?:^|/)Leefbaarometer-scores (buurten|wijken|gemeenten)[^/]*\.csv$", re.IGNORECASE)
MAX_DOWNLOAD = 300 * 2**20  # the 2024 download is some tens of MB
MAX_MEMBER = 400 * 2**20  # unpacked, per CSV read
MAX_RATIO = 50  # more compressed than this is not a CSV of scores
CODE = re.compile(r"^(BU\d{8}|WK\d{6}|GM\d{4})$")
DEFAULT_WFS_URL = "https://geo.leefbaarometer.nl/lbm3/ows"
CLASS_YEARS = (2020, 2022, 2024)  # the measurements with a buurtscore layer in the WFS
CLASS_COLUMN = "lbm_klasse"
WFS_PAGE = 5000


def url() -> str:
    return os.environ.get("LEEFBAAROMETER_URL") or DEFAULT_URL


def wfs_url() -> str:
    return (os.environ.get("LEEFBAAROMETER_WFS_URL") or DEFAULT_WFS_URL).rstrip("/")


def class_rows(features: list, year: int) -> list[dict]:
    """The buurten's class (1-9) from WFS features; anything that is not a BU code with a class 1-9 is left out."""
    rows = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            continue
        code, klasse = str(props.get("id", "")).strip(), props.get("kscore")
        if re.fullmatch(r"BU\d{8}", code) and isinstance(klasse, (int, float)) and klasse in range(1, 10):
            rows.append({"code": code, "period": f"{year}JJ00", CLASS_COLUMN: float(klasse)})
    return rows


def read_wfs_classes(client, bbox_rd: tuple[float, float, float, float]) -> pd.DataFrame:
    """The classes of the buurten within `bbox_rd` (RD New metres) for every measurement in CLASS_YEARS, paged."""
    rows: list[dict] = []
    for year in CLASS_YEARS:
        start = 0
        while True:
            document = client.get_json(wfs_url(), {
                "service": "WFS", "version": "2.0.0", "request": "GetFeature",
                "typeNames": f"lbm3:buurtscore{year % 100:02d}", "outputFormat": "application/json",
                "bbox": ",".join(f"{v:.0f}" for v in bbox_rd) + ",urn:ogc:def:crs:EPSG::28992",
                "count": str(WFS_PAGE), "startIndex": str(start)})
            features = document.get("features") if isinstance(document, dict) else None
            if not isinstance(features, list):
                raise SourceError(f"the Leefbaarometer WFS gave no features for {year}")
            rows += class_rows(features, year)
            if len(features) < WFS_PAGE:
                break
            start += WFS_PAGE
    return pd.DataFrame(rows, columns=["code", "period", CLASS_COLUMN])


def with_classes(scores: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Scores and classes in one table (a buurt may have a class without a score row, or the other way round)."""
    if classes is None or classes.empty:
        return scores
    merged = scores.merge(classes, on=["code", "period"], how="outer")
    merged["date"] = period_dates(merged["period"])
    return merged


def combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Score tables (buurten, wijken, gemeenten, several files) as one, each code and year once."""
    return pd.concat(parts, ignore_index=True).drop_duplicates(["code", "period"]).reset_index(drop=True)


def read_scores(content: bytes, name: str = "scores") -> pd.DataFrame:
    """One score CSV as the tidy table. SourceError (one line) when it is not what the Leefbaarometer gives."""
    text = content.decode("utf-8-sig", errors="replace")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str)
    except (ValueError, pd.errors.ParserError) as exc:
        raise SourceError(f"Leefbaarometer {name}: not a readable CSV ({exc})") from exc
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    code_column = next((c for c in CODE_COLUMNS if c in frame.columns), None)
    missing = [c for c in ("jaar", *COLUMNS) if c not in frame.columns]
    if code_column is None or missing:
        wanted = ", ".join(["bu_code", "jaar", *COLUMNS])
        raise SourceError(f"Leefbaarometer {name}: expected the columns {wanted}; "
                          f"missing {', '.join(missing or ['a code column'])}")
    codes = frame[code_column].astype("string").str.strip()
    years = pd.to_numeric(frame["jaar"], errors="coerce")
    keep = codes.str.match(CODE.pattern, na=False) & years.between(1990, 2100)
    out = pd.DataFrame({"code": codes[keep].to_numpy(), "period": [f"{int(y)}JJ00" for y in years[keep]]})
    out["date"] = period_dates(out["period"])
    for source, column in COLUMNS.items():
        values = frame.loc[keep, source].astype("string").str.strip().str.replace(",", ".", regex=False)
        out[column] = pd.to_numeric(values, errors="coerce").to_numpy()
    return out.drop_duplicates(["code", "period"]).reset_index(drop=True)


def read_archive(content: bytes) -> pd.DataFrame:
    """The scores of the download (a zip): the buurten file, and the wijken and gemeenten files where present.
    The archive's directory is checked before anything is unpacked (sizes, compression ratio)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise SourceError("the Leefbaarometer download is not a zip archive") from exc
    members = [info for info in archive.infolist() if MEMBER.search(info.filename)]
    if not any("buurten" in info.filename.lower() for info in members):
        raise SourceError("the Leefbaarometer download holds no 'Leefbaarometer-scores buurten ...csv'")
    parts = []
    for info in members:
        if info.file_size > MAX_MEMBER or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 2**20:
            raise SourceError(f"the Leefbaarometer download's {info.filename} would unpack to "
                              f"{info.file_size / 2**20:.0f} MB: refused")
        with archive.open(info) as fh:
            parts.append(read_scores(fh.read(MAX_MEMBER + 1), info.filename.rsplit("/", 1)[-1]))
    return combined(parts)


def for_region(frame: pd.DataFrame, gemeentecodes: list[str], detailed: list[str]) -> pd.DataFrame:
    """The rows of these municipalities as a whole, and of the wijken and buurten of the `detailed` ones."""
    digits = {code[2:6] for code in detailed}
    whole = frame["code"].isin(gemeentecodes)
    parts = frame["code"].str[:2].isin(["WK", "BU"]) & frame["code"].str[2:6].isin(digits)
    return frame[whole | parts].reset_index(drop=True)
