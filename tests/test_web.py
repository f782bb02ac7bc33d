"""Checks against the real PDOK and CBS (skipped unless `pytest --web`): what could not be verified offline.

The catalogue's KWB ids are live PDOK properties; PDOK publishes one API per data year; the StatLine tables
of data/statline_tables.csv have the dimension values and keys data/statline_columns.csv expects.
"""

from __future__ import annotations

import pytest

from geo.data.indicators import catalogue
from geo.data.layers import LAYERS
from geo.data.pdok import PdokClient
from geo.data.sources import PdokApiSource

pytestmark = pytest.mark.web
LIVE = "https://api.pdok.nl"


@pytest.mark.parametrize("collection", ["gemeenten", "wijken", "buurten"])
def test_catalogue_ids_exist_in_live_schema(collection):
    schema = PdokClient(LIVE).get_json(
        f"{LIVE}/cbs/wijken-en-buurten-2024/ogc/v1/collections/{collection}/schema", {"f": "json"}
    )
    properties = set(schema.get("properties", {}))
    wanted = {i.id for i in catalogue() if not i.derived and i.dataset == "cbs/wijken-en-buurten"}
    wanted.add("indelingswijziging_wijken_en_buurten")  # the flag that breaks trend lines
    missing = sorted(wanted - properties)
    assert not missing, f"catalogue ids not in the live {collection} schema: {missing}"


def test_live_buurten_of_one_municipality():
    frame = PdokApiSource(LIVE).fetch(LAYERS["buurten"], 2024, "GM0965")
    assert len(frame) == 9 and frame.crs.to_epsg() == 4326
    assert frame["aantal_inwoners"].notna().any()


def test_live_pdok_has_the_default_years():
    from geo.data.layers import FIRST_YEAR

    years = PdokApiSource(LIVE).available_years()
    assert years and years[0] <= max(FIRST_YEAR, 2022) and 2024 in years


@pytest.mark.parametrize("table", ["85586NED", "47018NED", "50120NED"])
def test_live_statline_table_has_the_expected_keys(table):
    from geo.data import statline

    definition = statline.table_definitions()[table]
    client = PdokClient(statline.odata_url(definition.catalog))
    page = client.get_json(f"{client.base_url}/{table}/TypedDataSet",
                           {"$format": "json", "$top": "5", "$filter": definition.odata_filter("0917")})
    rows = page["value"]
    assert rows, f"{table}: no rows for Heerlen with {definition.odata_filter('0917')}"
    keys = set(rows[0])
    assert set(statline.column_map(table)) <= keys, sorted(keys)
    for dimension, value in definition.dimensions:
        assert all(str(r[dimension]).strip() == value for r in rows)
    frame = statline.read_for_municipalities(table, ["GM0917"])
    assert frame["code"].str.startswith(("GM0917", "WK0917", "BU0917")).all()


def test_live_leefbaarometer_download_has_the_expected_buurten_file():
    """The Leefbaarometer's open-data zip: the buurten CSV and its columns (data/datasets.csv says what else is
    unverified: the wijken and gemeenten files, separator and decimal mark)."""
    import io
    import zipfile

    from geo.data import leefbaarometer

    content = PdokClient(leefbaarometer.DEFAULT_URL).get_bytes(leefbaarometer.DEFAULT_URL,
                                                             max_bytes=leefbaarometer.MAX_DOWNLOAD)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert any(name.endswith("Leefbaarometer-scores buurten 2002-2024.csv") for name in names), names
    frame = leefbaarometer.read_archive(content)
    heerlen = frame[frame["code"].str.startswith("BU0917")]
    assert {"2020JJ00", "2022JJ00", "2024JJ00"} <= set(heerlen["period"])
    assert heerlen["lbm_score"].between(3, 6).all()


@pytest.mark.parametrize("year", [2019, 2020, 2022, 2023, 2024])
def test_live_national_row_has_the_mapped_keys(year):
    """data/national_tables.csv and data/national_columns.csv against CBS's live Kerncijfers tables."""
    from geo.data import national, statline

    frame = national.read_odata([year], statline.DEFAULT_ODATA_URL)
    row = frame.iloc[0]
    assert 16_000_000 < row["aantal_inwoners"] < 20_000_000
    assert 10 < row["percentage_personen_65_jaar_en_ouder"] < 30


def test_live_leefbaarometer_wfs_gives_classes_for_heerlen():
    from geo.data import leefbaarometer

    frame = leefbaarometer.read_wfs_classes(PdokClient(leefbaarometer.DEFAULT_WFS_URL),
                                            (190_000, 315_000, 202_000, 328_000))  # around Heerlen, RD New
    heerlen = frame[frame["code"].str.startswith("BU0917")]
    assert {"2020JJ00", "2022JJ00", "2024JJ00"} <= set(heerlen["period"])
    assert heerlen["lbm_klasse"].between(1, 9).all()
