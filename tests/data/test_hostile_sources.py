"""A source that sends what no honest PDOK would (issue 23.6): codes that are not CBS codes, absurd polygons."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import shape

from geo.data import cache
from geo.data.normalize import cap_vertices, invalid_codes
from geo.data.pdok import SourceError
from geo.data.sources import DirectorySource
from geo.data.sync import sync


def _copy_with(snapshot, tmp_path, change) -> DirectorySource:
    """The 2024 snapshot, linked, with its buurten file changed by `change(features)`."""
    root = tmp_path / "source"
    year = root / "cbs" / "wijken-en-buurten-2024"
    year.mkdir(parents=True)
    for name in ("gemeenten", "wijken"):
        (year / f"{name}.geojson").symlink_to(snapshot / "cbs" / "wijken-en-buurten-2024" / f"{name}.geojson")
    (root / "kadaster").symlink_to(snapshot / "kadaster", target_is_directory=True)
    document = json.loads((snapshot / "cbs" / "wijken-en-buurten-2024" / "buurten.geojson").read_text())
    change(document["features"])
    (year / "buurten.geojson").write_text(json.dumps(document))
    return DirectorySource(root)


def test_a_code_that_is_not_a_cbs_code_fails_the_sync_and_keeps_the_cache(snapshot, tmp_path, data_dir):
    before = cache.read_manifest(data_dir)["generation"]

    def hostile(features):
        features[0]["properties"]["buurtcode"] = "../../etc/passwd"

    with pytest.raises(SourceError, match=r"buurten 2024: 1 feature\(s\) with a code that is not a CBS code: "
                                          r"'\.\./\.\./etc/passwd'"):
        sync(_copy_with(snapshot, tmp_path, hostile), 2024, data_dir)
    assert cache.read_manifest(data_dir)["generation"] == before


def test_invalid_codes_are_found_whatever_their_shape():
    frame = gpd.GeoDataFrame({"buurtcode": ["BU09171000", "BU0917100", "bu09171000", "BU09171000\n", None]},
                             geometry=[None] * 5, crs="EPSG:4326")
    assert invalid_codes(frame, "buurtcode") == ["BU0917100", "bu09171000", "BU09171000\n", ""]


def test_an_absurd_polygon_is_simplified_with_a_warning(snapshot, tmp_path, data_dir):
    def huge(features):  # a Heerlen buurt as a circle of 300,000 points
        target = next(f for f in features if f["properties"]["buurtcode"] == "BU09171000")
        centre = shape(target["geometry"]).centroid
        n = 300_000
        ring = [[centre.x + 0.005 * math.cos(2 * math.pi * i / n), centre.y + 0.003 * math.sin(2 * math.pi * i / n)]
                for i in range(n)]
        target["geometry"] = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    messages = []
    sync(_copy_with(snapshot, tmp_path, huge), 2024, data_dir, progress=messages.append)
    assert any("1 feature(s) had more than 100,000 points and were simplified: BU09171000" in m for m in messages)
    stored = cache.load_layers(data_dir, ["buurten"])["buurten"].set_index("buurtcode").geometry["BU09171000"]
    assert shapely.get_num_coordinates(stored) <= 100_000 and stored.is_valid and stored.area > 0


def test_cap_vertices_leaves_ordinary_features_alone():
    ordinary = shapely.Point(5.98, 50.89).buffer(0.01, 64)
    heavy = shapely.Point(5.99, 50.89).buffer(0.01, 4000)
    frame = gpd.GeoDataFrame({"buurtcode": ["BU1", "BU2"]}, geometry=[ordinary, heavy], crs="EPSG:4326")
    capped, codes = cap_vertices(frame, "buurtcode", limit=1000)
    assert codes == ["BU2"] and capped.geometry.iloc[0].equals(ordinary)
    assert shapely.get_num_coordinates(capped.geometry.iloc[1]) <= 1000


@pytest.mark.parametrize(("errno_", "words"), [(28, "No space left on device [errno 28]"),
                                               (30, "Read-only file system [errno 30]")])
def test_a_full_or_read_only_disk_is_one_line_and_changes_nothing(snapshot, data_dir, monkeypatch, capsys,
                                                                  errno_, words):
    """Issue 23.8: the disk fails while the new generation is written."""
    import os

    from geo import cli
    from geo.data import cache as cache_module

    before = cache.read_manifest(data_dir)["generation"]

    def failing(*args, **kwargs):
        raise OSError(errno_, os.strerror(errno_), str(data_dir / "gen-new"))

    monkeypatch.setattr(cache_module.tempfile, "mkdtemp", failing)
    assert cli.main(["sync", "--source", str(snapshot), "--year", "2024"]) == 1
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]  # after the progress lines: one line that says what happened
    assert last.startswith("error: cannot write") and words in last and "nothing was changed" in last
    assert "Traceback" not in err
    assert cache.read_manifest(data_dir)["generation"] == before


def test_an_import_into_a_database_that_cannot_be_written_is_one_line(data_dir, tmp_path, monkeypatch, capsys):
    import sqlalchemy as sa

    from geo import cli
    from geo.initiatives.store import Store

    def refused(self, items, actor):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'i.sqlite'}")
    monkeypatch.setattr(Store, "upsert", refused)
    source = tmp_path / "rows.csv"
    source.write_text((__import__("geo.config", fromlist=["DEFINITIONS_DIR"]).DEFINITIONS_DIR
                       / "initiatives.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.main(["initiatives", "import", str(source)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: the database cannot be written: database or disk is full; nothing was changed"]
