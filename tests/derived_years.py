"""Test data for several data years, DERIVED from the real 2024 snapshot (never from the internet).

The shared snapshot holds one KWB year. Trend, change and monitor tests need more, so this builds a folder
laid out like PDOK (`cbs/wijken-en-buurten-YYYY/...`) beside links to the real 2024 files, with earlier
years made by rule from 2024, and a derived Politie table 47018NED in OData key form. What is derived
is said in the folder's README. The rules are simple on purpose, so that tests can state expectations:

- counts (inhabitants, households, dwellings) are 2 % lower per year back; shares stay as in 2024;
- `indelingswijziging_wijken_en_buurten` is 1 (unchanged) everywhere, except REDIVIDED in the year
  after OLD_YEAR, flagged 3 (boundary changed);
- one extra buurt code EXTINCT (1,000 inhabitants) exists only in the first year; wijk RESHAPED has a
  changed boundary in the first year (shifted by about 100 m);
- registered crimes (47018NED) per gemeente and wijk, per 1,000 inhabitants: in Parkstad 60 in 2024 and
  3 more per year back (66 in 2022), elsewhere 45 every year, so Parkstad's gap to Limburg closes.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

CBS = "cbs"
YEARS = (2022, 2023)  # derived; 2024 is the real snapshot
OLD_YEAR = YEARS[0]
REDIVIDED = "BU09171000"  # a Heerlen buurt whose boundary "changed" in 2023
EXTINCT = "BU09179999"  # a buurt code that exists only in 2022
RESHAPED = "WK091710"  # a wijk whose 2022 boundary differs from 2024
COUNTS = ("aantal_inwoners", "aantal_huishoudens", "woningvoorraad", "mannen", "vrouwen", "personenautos_totaal")


def _factor(year: int) -> float:
    return 0.98 ** (2024 - year)


def _derive_feature(feature: dict, year: int, old_year: int = OLD_YEAR) -> dict:
    props = dict(feature["properties"])
    for name in COUNTS:
        if isinstance(props.get(name), (int, float)) and props[name] >= 0:
            props[name] = round(props[name] * _factor(year))
    props["jaar"] = year
    code = props.get("buurtcode") or props.get("wijkcode") or props.get("gemeentecode")
    props["indelingswijziging_wijken_en_buurten"] = 3 if (code == REDIVIDED and year == old_year + 1) else 1
    geometry = feature["geometry"]
    if code == RESHAPED and year == old_year:
        geometry = _shift(geometry, 0.0015)
    return {**feature, "properties": props, "geometry": geometry}


def _shift(geometry: dict, dx: float) -> dict:
    def move(coords):
        if coords and isinstance(coords[0], (int, float)):
            return [round(coords[0] + dx, 6), coords[1]]
        return [move(c) for c in coords]

    return {**geometry, "coordinates": move(geometry["coordinates"])}


def _write(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")


def build(snapshot: Path, target: Path, years: tuple[int, ...] = YEARS) -> Path:
    """Write the derived multi-year folder at `target` (links to the real snapshot for 2024); `years` are
    the derived ones (the benchmark asks for 2019-2023)."""
    old_year = years[0]
    target.mkdir(parents=True, exist_ok=True)
    real = snapshot / CBS / "wijken-en-buurten-2024"
    (target / CBS).mkdir(exist_ok=True)
    os.symlink(real, target / CBS / "wijken-en-buurten-2024")
    os.symlink(snapshot / "kadaster", target / "kadaster")
    statline = target / "statline"
    statline.mkdir()
    for file in (snapshot / "statline").iterdir():
        os.symlink(file, statline / file.name)
    layers = {name: json.loads((real / f"{name}.geojson").read_text(encoding="utf-8"))
              for name in ("gemeenten", "wijken", "buurten")}
    for year in years:
        folder = target / CBS / f"wijken-en-buurten-{year}"
        for name, document in layers.items():
            features = [_derive_feature(f, year, old_year) for f in document["features"]]
            if name == "buurten" and year == old_year:
                template = next(f for f in document["features"] if f["properties"]["buurtcode"] == REDIVIDED)
                extra = _derive_feature(template, year, old_year)
                extra["properties"] = {**extra["properties"], "buurtcode": EXTINCT, "buurtnaam": "Oude buurt",
                                       "aantal_inwoners": 1000}
                extra["geometry"] = _shift(template["geometry"], 0.02)
                features.append(extra)
            _write(folder / f"{name}.geojson", {**document, "features": features})
    _write_crimes(layers, statline / "47018NED_derived_for_tests.csv", years)
    (target / "README.md").write_text(
        f"DERIVED TEST DATA, not real figures: years {', '.join(map(str, years))} and the 47018NED extract are "
        "computed by\n"
        "rule from the real 2024 snapshot by tests/derived_years.py (see its docstring).\n", encoding="utf-8")
    return target


def crimes_per_1000(code: str, year: int) -> float:
    if code[2:6] in PARKSTAD_DIGITS:
        return 60.0 + 3 * (2024 - year)
    return 45.0


PARKSTAD_DIGITS = {"1954", "0899", "0917", "0928", "0882", "0965", "0986"}


def _write_crimes(layers: dict, path: Path, years: tuple[int, ...]) -> None:
    """Crimes in OData key form, with a second SoortMisdrijf that the table definition must filter out."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "SoortMisdrijf", "WijkenEnBuurten", "Perioden", "GeregistreerdeMisdrijven_1"])
        row_id = 0
        for name in ("gemeenten", "wijken"):
            for feature in layers[name]["features"]:
                props = feature["properties"]
                code = props.get("wijkcode") or props["gemeentecode"]
                inhabitants = props.get("aantal_inwoners")
                if not isinstance(inhabitants, (int, float)) or inhabitants <= 0:
                    continue
                for year in (*years, 2024):
                    count = round(inhabitants * _factor(year) * crimes_per_1000(code, year) / 1000)
                    for soort, value in (("0.0.0 ", count), ("1.1.1 ", count // 10)):
                        row_id += 1
                        writer.writerow([row_id, soort, f"{code:<10}", f"{year}JJ00", value])
