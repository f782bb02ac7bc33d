"""Checks against the real PDOK (skipped unless `pytest --web`): the catalogue matches the live schema."""

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
    wanted = {i.id for i in catalogue() if not i.derived}
    missing = sorted(wanted - properties)
    assert not missing, f"catalogue ids not in the live {collection} schema: {missing}"


def test_live_buurten_of_one_municipality():
    frame = PdokApiSource(LIVE).fetch(LAYERS["buurten"], 2024, "GM0965")
    assert len(frame) == 9 and frame.crs.to_epsg() == 4326
    assert frame["aantal_inwoners"].notna().any()
