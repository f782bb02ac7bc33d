"""Where boundaries come from, behind one interface: PDOK's API, a local directory, a GeoPackage.

Every source answers `fetch(layer, year, gemeentecode)` with a clean EPSG:4326 GeoDataFrame
(see geo.data.normalize) holding only that municipality's features (or the province for `provincie`).
"""

from __future__ import annotations

import json
import logging
import re
from datetime import date
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo.config import DEFAULT_YEAR, pdok_url
from geo.data import domain, leefbaarometer, national, statline
from geo.data.layers import CBS, FIRST_YEAR, Layer
from geo.data.normalize import clean_frame, features_to_frame
from geo.data.pdok import NotFound, PdokClient, RetryPolicy, SourceError
from geo.data.region import current as current_region

YEAR_FOLDER = re.compile(r"^wijken-en-buurten-(\d{4})$")


class Source(Protocol):
    kind: str
    location: str

    def available_years(self) -> list[int]: ...

    def fetch(self, layer: Layer, year: int, gemeentecode: str | None) -> gpd.GeoDataFrame: ...

    def fetch_table(self, table: str, gemeentecodes: list[str]) -> pd.DataFrame: ...

    def fetch_leefbaarometer(self) -> pd.DataFrame: ...

    def fetch_national(self, years: list[int]) -> pd.DataFrame: ...


def _region_bbox_rd() -> tuple[float, float, float, float]:
    """The region file's bbox (lon/lat) in RD New metres, for the Leefbaarometer WFS."""
    from pyproj import Transformer

    minx, miny, maxx, maxy = current_region().bbox
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    xs, ys = to_rd.transform([minx, maxx, minx, maxx], [miny, miny, maxy, maxy])
    return min(xs), min(ys), max(xs), max(ys)


def _keep(frame: gpd.GeoDataFrame, layer: Layer, gemeentecode: str | None) -> gpd.GeoDataFrame:
    """Rows for one municipality (or the province); a server may ignore a filter, so check here."""
    frame = _with_keys(frame, layer)
    if gemeentecode is not None:
        return frame[frame["gemeentecode"] == gemeentecode].reset_index(drop=True)
    if layer.name == "provincie":
        province = current_region().province_definition
        mask = (frame.get("code", pd.Series(dtype="string")) == province.code) | (
            frame.get("naam", pd.Series(dtype="string")) == province.name
        )
        return frame[mask.fillna(False)].reset_index(drop=True)
    return frame


def _with_keys(frame: gpd.GeoDataFrame, layer: Layer) -> gpd.GeoDataFrame:
    """Older years name the code `statcode`/`statnaam`; give every layer its own key columns."""
    if layer.key not in frame.columns and "statcode" in frame.columns:
        frame = frame.rename(columns={"statcode": layer.key, "statnaam": layer.name_column})
    if layer.name == "provincie":
        if "code" not in frame.columns and "identificatie" in frame.columns:
            frame = frame.assign(code=frame["identificatie"])
        return frame
    if layer.key not in frame.columns:
        raise SourceError(f"{layer.name}: features have no '{layer.key}' property")
    if "gemeentecode" not in frame.columns:
        frame = frame.assign(gemeentecode="GM" + frame[layer.key].str[2:6])
    return frame


class PdokApiSource:
    """PDOK OGC API Features, or any server with the same paths (mirror, test server)."""

    kind = "pdok"

    def __init__(self, base_url: str | None = None, policy: RetryPolicy | None = None):
        self.location = (base_url or pdok_url()).rstrip("/")
        self.client = PdokClient(self.location, policy)

    def available_years(self) -> list[int]:
        """Data years PDOK publishes from FIRST_YEAR on: each year is its own API (a 404 means not there)."""
        years = []
        for year in range(FIRST_YEAR, date.today().year + 1):
            try:
                self.client.get_json(f"{self.location}{CBS.format(year=year)}", {"f": "json"})
            except NotFound:
                continue
            years.append(year)
        return years

    def fetch(self, layer: Layer, year: int, gemeentecode: str | None) -> gpd.GeoDataFrame:
        path = f"{layer.dataset_path(year)}/collections/{layer.collection}/items"
        params = {"gemeentecode": gemeentecode} if gemeentecode else {}
        features = list(self.client.iter_features(path, params))
        return _keep(features_to_frame(features), layer, gemeentecode)

    def fetch_table(self, table: str, gemeentecodes: list[str]) -> pd.DataFrame:
        """StatLine tables come from CBS OData ($CBS_ODATA_URL), not from PDOK; optional, so give up sooner."""
        return statline.read_for_municipalities(table, gemeentecodes, policy=self._optional())

    def _optional(self) -> RetryPolicy:
        """For figures beside the boundaries (a sync without them is still complete): give up sooner."""
        return RetryPolicy(attempts=2, backoff=0.5, max_backoff=1.0, timeout=self.client.policy.timeout,
                           deadline=min(self.client.policy.deadline, 30.0))

    def fetch_leefbaarometer(self) -> pd.DataFrame:
        """The Leefbaarometer's open-data download ($LEEFBAAROMETER_URL; not PDOK's either)."""
        location = leefbaarometer.url()
        policy = RetryPolicy(attempts=2, backoff=0.5, max_backoff=1.0, timeout=60.0, deadline=180.0)
        content = PdokClient(location, policy).get_bytes(location, max_bytes=leefbaarometer.MAX_DOWNLOAD)
        scores = leefbaarometer.read_archive(content)
        try:  # the classes are a bonus beside the scores: without them the scores still count
            classes = leefbaarometer.read_wfs_classes(PdokClient(leefbaarometer.wfs_url(), policy), _region_bbox_rd())
        except SourceError as exc:
            logging.getLogger("geo.sync").warning("Leefbaarometer classes not loaded: %s", exc)
            classes = None
        return leefbaarometer.with_classes(scores, classes)

    def fetch_national(self, years: list[int]) -> pd.DataFrame:
        """CBS's national figures per data year, from StatLine ($CBS_ODATA_URL)."""
        return national.read_odata(years, statline.odata_url("cbs"), self._optional())


class DirectorySource:
    """A folder laid out like the API paths: `<dir>/cbs/wijken-en-buurten-2024/buurten.geojson`."""

    kind = "directory"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.location = str(self.root)
        self._frames: dict[tuple[str, int], gpd.GeoDataFrame] = {}
        if not self.root.is_dir():
            raise SourceError(f"{self.root} is not a directory")

    def available_years(self) -> list[int]:
        folders = (YEAR_FOLDER.match(p.name) for p in (self.root / "cbs").glob("wijken-en-buurten-*"))
        return sorted(int(m[1]) for m in folders if m)

    def _path(self, layer: Layer, year: int) -> Path:
        dataset = layer.dataset_path(year).removesuffix("/ogc/v1").lstrip("/")
        return self.root / dataset / f"{layer.collection}.geojson"

    def fetch(self, layer: Layer, year: int, gemeentecode: str | None) -> gpd.GeoDataFrame:
        key = (layer.name, year)
        if key not in self._frames:
            path = self._path(layer, year)
            if not path.is_file():
                years = self.available_years()
                hint = f" (years present: {', '.join(map(str, years))})" if years else ""
                raise SourceError(f"{path} not found{hint}")
            try:
                with open(path, encoding="utf-8") as fh:
                    document = json.load(fh)
            except (OSError, ValueError) as exc:
                raise SourceError(f"{path} cannot be read as GeoJSON: {exc}") from exc
            if not isinstance(document, dict) or not isinstance(document.get("features"), list):
                raise SourceError(f"{path} is not a GeoJSON FeatureCollection")
            self._frames[key] = _with_keys(features_to_frame(document["features"]), layer)
        return _keep(self._frames[key], layer, gemeentecode)

    def fetch_table(self, table: str, gemeentecodes: list[str]) -> pd.DataFrame:
        files = sorted((self.root / "statline").glob(f"{table}_*.csv"))
        extracts = [f for f in files if "DataProperties" not in f.name]
        if not extracts:
            raise SourceError(f"no StatLine extract {table}_*.csv in the source folder")
        frame = pd.concat([statline.read_csv(path, table) for path in extracts], ignore_index=True)
        return frame[frame["code"].str[2:6].isin([c[2:6] for c in gemeentecodes])].reset_index(drop=True)

    def fetch_leefbaarometer(self) -> pd.DataFrame:
        """`leefbaarometer/` in the folder: the download as it comes (a .zip), or its score CSVs."""
        folder = self.root / "leefbaarometer"
        archives = sorted(folder.glob("*.zip"))
        files = sorted(p for p in folder.glob("*.csv") if leefbaarometer.MEMBER.search(p.name))
        if not archives and not files:
            raise SourceError("no Leefbaarometer download (leefbaarometer/*.zip or its score CSVs) in the source")
        try:
            parts = [leefbaarometer.read_archive(p.read_bytes()) for p in archives]
            parts += [leefbaarometer.read_scores(p.read_bytes(), p.name) for p in files]
            classes = []  # buurtscoreYY.json: what the WFS gives, saved
            for path in sorted(folder.glob("buurtscore[0-9][0-9].json")):
                document = json.loads(path.read_text(encoding="utf-8"))
                year = 2000 + int(path.stem[-2:])
                classes += leefbaarometer.class_rows(document.get("features") or [], year)
        except (OSError, ValueError) as exc:
            raise SourceError(f"the Leefbaarometer files cannot be read: {exc}") from exc
        table = pd.DataFrame(classes, columns=["code", "period", leefbaarometer.CLASS_COLUMN])
        return leefbaarometer.with_classes(leefbaarometer.combined(parts), table)

    def fetch_national(self, years: list[int]) -> pd.DataFrame:
        return national.read_extracts(self.root / "statline", years)


class GeoPackageSource:
    """PDOK's `wijkenbuurten_{year}.gpkg` download (RD New): read only the rows needed."""

    kind = "geopackage"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.location = str(self.path)
        if not self.path.is_file():
            raise SourceError(f"{self.path} does not exist")
        try:
            self.available = {name for name, _ in pyogrio.list_layers(self.path)}
        except Exception as exc:  # pyogrio raises several DataSourceError types
            raise SourceError(f"{self.path} is not a readable GeoPackage: {_first_line(exc)}") from exc

    def available_years(self) -> list[int]:
        """One GeoPackage is one data year, named in PDOK's file name (wijkenbuurten_2024.gpkg)."""
        match = re.search(r"(20\d{2})", self.path.stem)
        return [int(match[1]) if match else DEFAULT_YEAR]

    def _read(self, collection: str, codes: list[str]) -> gpd.GeoDataFrame:
        if collection not in self.available:
            present = ", ".join(sorted(self.available))
            raise SourceError(f"{self.path.name} has no layer '{collection}' (has: {present})")
        quoted = ", ".join(f"'{c}'" for c in codes if domain.GM_CODE.match(c))
        try:
            frame = pyogrio.read_dataframe(self.path, layer=collection, where=f"gemeentecode IN ({quoted})")
        except Exception as exc:
            raise SourceError(f"{self.path.name} layer {collection}: {_first_line(exc)}") from exc
        return clean_frame(frame)

    def fetch(self, layer: Layer, year: int, gemeentecode: str | None) -> gpd.GeoDataFrame:
        if layer.name == "provincie":  # not in the download: dissolve the province's municipalities
            gemeenten = self._read("gemeenten", domain.limburg_codes())
            outline = shapely.union_all(gemeenten.geometry.values)
            province = current_region().province_definition
            return gpd.GeoDataFrame(
                {"code": [province.code], "naam": [province.name], "identificatie": [province.code]},
                geometry=[outline], crs="EPSG:4326",
            )
        return _keep(self._read(layer.collection, [gemeentecode]), layer, gemeentecode)

    def fetch_table(self, table: str, gemeentecodes: list[str]) -> pd.DataFrame:
        raise SourceError(f"a GeoPackage holds no StatLine table {table}")

    def fetch_leefbaarometer(self) -> pd.DataFrame:
        raise SourceError("a GeoPackage holds no Leefbaarometer scores")

    def fetch_national(self, years: list[int]) -> pd.DataFrame:
        raise SourceError("a GeoPackage holds no national figures")


def open_source(spec: str | None) -> Source:
    """`pdok` (default, $PDOK_API_URL or api.pdok.nl), an http(s) URL, a directory or a .gpkg file."""
    if spec in (None, "", "pdok"):
        return PdokApiSource()
    if spec.startswith(("http://", "https://")):
        return PdokApiSource(spec)
    path = Path(spec).expanduser()
    if path.suffix.lower() == ".gpkg":
        return GeoPackageSource(path)
    if path.is_dir():
        return DirectorySource(path)
    raise SourceError(f"unknown source {spec!r}: use 'pdok', an http(s) URL, a directory or a .gpkg file")


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]
