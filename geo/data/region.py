"""The region the dashboard runs for, as a file: data/regions/<id>.yaml (default parkstad-limburg).

A region names its municipalities (whose wijken and buurten are loaded), named groups of them (scopes and
references, such as Parkstad), the comparison province, and its priority areas and initiatives (CSV files
beside it). `PARKSTAD_REGION` (or `python -m geo sync --region`) picks another file by id or path.
The file is validated on load; any problem is one message naming the key, before anything is synced.
"""

from __future__ import annotations

import csv
import os
import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from geo.config import DEFINITIONS_DIR

DEFAULT_REGION = "parkstad-limburg"
REGIONS_DIR = DEFINITIONS_DIR / "regions"
MAX_REGION_FILE = 64 * 1024  # a region file is a page of YAML
MAX_REFERENCED_FILE = 5 * 2**20  # its CSVs: tens of rows of areas, hundreds of initiatives
REQUIRED_COLUMNS = {  # what each referenced CSV must have (the same columns as data/priority_areas.csv ...)
    "priority_areas": {"area_id", "name", "gemeentecode", "buurtcodes", "precision"},
    "initiatives": {"initiative_id", "name", "gemeentecodes", "theme_ids", "status"},
}
GM = re.compile(r"^GM\d{4}$")


class RegionError(ValueError):
    """The region file is missing or wrong; the message names the key."""


class Names(BaseModel):
    nl: str = Field(min_length=1, max_length=1000)
    en: str = Field(min_length=1, max_length=1000)
    de: str = Field(min_length=1, max_length=1000)

    def get(self, lang: str) -> str:
        return getattr(self, lang, self.nl)


class Group(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: Names
    short: Names | None = None  # for column headers and legends (default: the name)
    gemeenten: list[str] = Field(min_length=1)
    programme: str = ""  # a programme for all of the group's municipalities (e.g. Regio Deal Parkstad Limburg)
    source_url: str = ""


class Province(BaseModel):
    code: str
    province_id: str
    name: str
    gemeentecodes: list[str]
    source_url: str = ""


@lru_cache(maxsize=2)
def provinces(directory: Path = DEFINITIONS_DIR) -> dict[str, Province]:
    """The twelve provinces and their municipalities (CBS, 2024), by code (PV31)."""
    with open(directory / "provinces.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {r["code"]: Province(**{**r, "gemeentecodes": r["gemeentecodes"].split()}) for r in rows}


class Contact(BaseModel):
    """Who answers questions about the site (the accessibility statement names them)."""
    name: Names
    url: str = Field(default="", pattern=r"^(https://\S+)?$")
    email: str = Field(default="", pattern=r"^([^@\s]+@[^@\s]+\.[a-z]{2,})?$")


class RegionFile(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: Names
    province: str = Field(pattern=r"^PV\d{2}$")
    regions: list[Group] = Field(default_factory=list)
    gemeenten: list[str] = Field(min_length=1)
    priority_areas: Path
    initiatives: Path | None = None
    area_programme: str = ""  # the programme the priority areas belong to
    intro: Names | None = None  # what the programmes aim at, for /monitor
    accessibility_contact: Contact | None = None  # for the accessibility statement (/toegankelijkheid)
    # where initiatives' coordinates may lie (lon/lat, with a margin); default the European Netherlands
    bbox: tuple[float, float, float, float] = (3.2, 50.7, 7.3, 53.6)
    base: Path = Path(".")  # the folder of the file, for the relative paths

    @field_validator("gemeenten")
    @classmethod
    def _codes(cls, v):
        bad = [c for c in v if not GM.match(c)]
        if bad:
            raise ValueError(f"not a CBS gemeente code: {', '.join(bad)}")
        if len(set(v)) != len(v):
            raise ValueError("a municipality is listed twice")
        return v

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, v):
        minx, miny, maxx, maxy = v
        if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
            raise ValueError("give [min lon, min lat, max lon, max lat]")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        known = provinces()
        if self.province not in known:
            raise ValueError(f"province: unknown province code {self.province} (known: {', '.join(known)})")
        everywhere = {c for p in known.values() for c in p.gemeentecodes}
        unknown = [c for c in self.gemeenten if c not in everywhere]
        if unknown:
            raise ValueError(f"gemeenten: unknown municipality code(s) {', '.join(unknown)}")
        ids = [g.id for g in self.regions]
        if len(set(ids)) != len(ids) or known[self.province].province_id in ids or "all" in ids:
            raise ValueError("regions: ids must be unique and differ from 'all' and the province")
        for group in self.regions:
            outside = [c for c in group.gemeenten if c not in everywhere]
            if outside:
                raise ValueError(f"regions: {group.id}: unknown municipality code(s) {', '.join(outside)}")
        for key in ("priority_areas", "initiatives"):
            path = getattr(self, key)
            if path is not None:
                _check_referenced(key, path, self.base)
        return self

    @property
    def province_definition(self) -> Province:
        return provinces()[self.province]

    def path_of(self, key: str) -> Path | None:
        path = getattr(self, key)
        return None if path is None else (self.base / path).resolve()


def _check_referenced(key: str, path: Path, base: Path) -> None:
    """A file the region file names: inside the region file's folder (or the project's data folder, where the
    bundled region keeps its CSVs), a small UTF-8 CSV with the columns its key needs. Checked before anything is
    synced, so that `priority_areas: /etc/passwd` stops here with one line instead of reaching a page."""
    full = (base / path).resolve()
    roots = [base.resolve(), DEFINITIONS_DIR.resolve()]
    if not any(full.is_relative_to(root) for root in roots):
        raise ValueError(f"{key}: {path} lies outside the region file's folder")
    if not full.is_file():
        raise ValueError(f"{key}: file {path} does not exist (paths are relative to the region file)")
    if full.stat().st_size > MAX_REFERENCED_FILE:
        raise ValueError(f"{key}: {path} is larger than {MAX_REFERENCED_FILE // 2**20} MB")
    try:
        with open(full, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{key}: {path} is not a UTF-8 CSV file") from exc
    missing = sorted(REQUIRED_COLUMNS[key] - {h.strip() for h in header})
    if missing:
        raise ValueError(f"{key}: {path} is not a {key} CSV (no column {', '.join(missing)})")


def region_spec() -> str:
    return os.environ.get("PARKSTAD_REGION") or DEFAULT_REGION


def region_path(spec: str) -> Path:
    """A region id (data/regions/<id>.yaml) or a path to a region file."""
    path = Path(spec).expanduser()
    if path.suffix.lower() in (".yaml", ".yml") or path.is_file():
        return path.resolve()
    return REGIONS_DIR / f"{spec}.yaml"


@lru_cache(maxsize=8)
def load_region(path: Path) -> RegionFile:
    if not path.is_file():
        have = ", ".join(sorted(p.stem for p in REGIONS_DIR.glob("*.yaml")))
        raise RegionError(f"no region file {path.name} (regions in data/regions: {have})")
    if path.stat().st_size > MAX_REGION_FILE:
        raise RegionError(f"{path.name}: larger than {MAX_REGION_FILE // 1024} KB; a region file is a page of YAML")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegionError(f"{path.name}: not readable YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(raw, dict):
        raise RegionError(f"{path.name}: expected keys id, name, province, gemeenten, priority_areas")
    try:
        return RegionFile.model_validate({**raw, "base": path.parent})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")  # checks across keys name their key themselves
        raise RegionError(f"{path.name}: {key}: {message}" if key else f"{path.name}: {message}") from exc


def current() -> RegionFile:
    """The region this process runs for ($PARKSTAD_REGION, default parkstad-limburg)."""
    return load_region(region_path(region_spec()))


def programmes_for(gemeentecode: str, in_priority_area: bool) -> list[str]:
    """The region-wide programmes that cover a place: the priority areas' programme, its groups'."""
    region = current()
    names = [region.area_programme] if in_priority_area and region.area_programme else []
    names += [g.programme for g in region.regions if g.programme and gemeentecode in g.gemeenten]
    return names
