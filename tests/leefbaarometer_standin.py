"""A STAND-IN for the Leefbaarometer 3.0 open-data download, for tests only: NOT Leefbaarometer figures.

It has the layout the real `open-data-leefbaarometer-meting-2024.zip` has where that is known: a folder with
`Leefbaarometer-scores buurten 2002-2024.csv` and exactly its columns `bu_code, jaar, lbm, afw, fys, onv, soc,
vrz, won`. A gemeenten file with `gm_code` stands in for the (unverified) municipal file. The values follow a
rule, so tests can state expectations: per area a base deviation from its code, the five dimensions fixed
shares of it, `afw` their sum, `lbm` = 4 + `afw`; each measurement year adds 0.01 to every dimension. The
archive also holds a text file that says it is a stand-in.
"""

from __future__ import annotations

import csv
import io
import zipfile

YEARS = (2018, 2020, 2022, 2024)  # 2018 lies before the first data year: history the app does not join
FOLDER = "Leefbaarometer 3.0 - Meting 2024 - open data (STAND-IN)"
SHARES = (0.3, -0.2, 0.4, 0.25, 0.25)  # fys, onv, soc, vrz, won: fractions of the base deviation


def base(code: str) -> float:
    """A deterministic deviation between -0.30 and +0.29 per area code."""
    return (int(code[-3:]) % 60 - 30) / 100


def scores(code: str, year: int) -> dict[str, float]:
    step = 0.01 * YEARS.index(year)
    dims = [round(base(code) * share + step, 4) for share in SHARES]
    afw = round(sum(dims), 4)
    return dict(zip(("fys", "onv", "soc", "vrz", "won"), dims, strict=True)) | {"afw": afw, "lbm": round(4 + afw, 4)}


def _csv(code_column: str, codes: list[str], sep: str = ",", decimal: str = ".") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow([code_column, "jaar", "lbm", "afw", "fys", "onv", "soc", "vrz", "won"])
    for code in codes:
        for year in YEARS:
            s = scores(code, year)
            writer.writerow([code, year, *(str(s[k]).replace(".", decimal)
                                           for k in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won"))])
    return out.getvalue().encode("utf-8")


def archive(buurten: list[str], gemeenten: list[str], dutch_csv: bool = False) -> bytes:
    """The zip as bytes; `dutch_csv` writes `;` and decimal commas (the convention the real file might use)."""
    sep, decimal = (";", ",") if dutch_csv else (",", ".")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{FOLDER}/STAND-IN.txt", "Test data made by tests/leefbaarometer_standin.py: not real scores.\n")
        zf.writestr(f"{FOLDER}/Leefbaarometer-scores buurten 2002-2024.csv", _csv("bu_code", buurten, sep, decimal))
        zf.writestr(f"{FOLDER}/Leefbaarometer-scores gemeenten 2002-2024.csv",
                    _csv("gm_code", gemeenten, sep, decimal))
    return out.getvalue()
