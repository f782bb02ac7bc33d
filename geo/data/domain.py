"""Regions, priority areas, themes and problems: definitions kept as data, validated on load.

The municipalities, the groups of them (Parkstad) and the comparison province come from the region file
(geo.data.region); priority areas from the CSV file the region names; themes and problems from data/.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from geo.config import DEFINITIONS_DIR
from geo.data.region import current, load_region, region_path, region_spec

GM_CODE = re.compile(r"^GM\d{4}$")
WK_CODE = re.compile(r"^WK\d{6}$")
BU_CODE = re.compile(r"^BU\d{8}$")


class DefinitionError(ValueError):
    """A definition file in data/ is malformed."""


def _split_codes(value: str, pattern: re.Pattern, what: str) -> list[str]:
    codes = value.split()
    bad = [c for c in codes if not pattern.match(c)]
    if bad:
        raise ValueError(f"invalid {what} code(s): {', '.join(bad)}")
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate {what} codes")
    return codes


class Region(BaseModel):
    region_id: str
    name: str
    gemeentecodes: list[str]
    source_url: str
    names: dict[str, str] = Field(default_factory=dict)  # the name per language
    short_names: dict[str, str] = Field(default_factory=dict)  # for column headers, legends, comparisons

    def label(self, lang: str) -> str:
        return self.names.get(lang) or self.name

    def short(self, lang: str) -> str:
        return self.short_names.get(lang) or self.label(lang)

    @field_validator("gemeentecodes", mode="before")
    @classmethod
    def _codes(cls, v):
        return _split_codes(v, GM_CODE, "gemeente") if isinstance(v, str) else v


class PriorityArea(BaseModel):
    area_id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    gemeentecode: str = Field(pattern=GM_CODE.pattern)
    gemeentenaam: str
    buurtcodes: list[str] = Field(min_length=1)
    definition: str  # English, as in the source; definition_nl and definition_de (optional) for the pages
    definition_nl: str = ""
    definition_de: str = ""
    precision: Literal["exact", "approximate", "coarse"]
    source_url: str

    def definition_in(self, lang: str) -> str:
        return (getattr(self, f"definition_{lang}", "") if lang != "en" else "") or self.definition

    @field_validator("buurtcodes", mode="before")
    @classmethod
    def _codes(cls, v):
        return _split_codes(v, BU_CODE, "buurt") if isinstance(v, str) else v

    @field_validator("buurtcodes")
    @classmethod
    def _in_municipality(cls, v, info):
        gm = info.data.get("gemeentecode", "")
        foreign = [c for c in v if gm and c[2:6] != gm[2:6]]
        if foreign:
            raise ValueError(f"buurten outside {gm}: {', '.join(foreign)}")
        return v


class Theme(BaseModel):
    theme_id: str = Field(pattern=r"^[a-z0-9-]+$")
    nl: str
    en: str
    de: str
    covers: str = ""
    colour: str = Field(default="#555555", pattern=r"^#[0-9A-Fa-f]{6}$")

    def label(self, lang: str) -> str:
        return getattr(self, lang, self.nl)


class Problem(BaseModel):
    """One of the Regio Deal's named problems, the theme a councillor follows on /monitor."""

    problem_id: str = Field(pattern=r"^[a-z0-9_]+$")
    label_nl: str
    label_en: str
    label_de: str
    finest_level: Literal["buurt", "wijk", "gemeente"]
    initiative_themes: list[str]  # initiative themes (themes.csv) that work on this problem
    gap_nl: str = ""  # what the open data cannot (yet) give for this problem; empty when nothing is missing
    gap_en: str = ""
    gap_de: str = ""

    @field_validator("initiative_themes", mode="before")
    @classmethod
    def _split(cls, v):
        return v.split() if isinstance(v, str) else v

    def label(self, lang: str) -> str:
        return getattr(self, f"label_{lang}", self.label_nl)

    def gap(self, lang: str) -> str:
        return getattr(self, f"gap_{lang}", self.gap_nl)


class Category(BaseModel):
    """A group of indicators by subject (indicators.csv `category`), named in the indicator selector."""

    category_id: str = Field(pattern=r"^[a-z0-9_]+$")
    label_nl: str
    label_en: str
    label_de: str

    def label(self, lang: str) -> str:
        return getattr(self, f"label_{lang}", self.label_nl)


@lru_cache(maxsize=2)
def categories(directory: Path = DEFINITIONS_DIR) -> dict[str, Category]:
    return _read(directory / "categories.csv", Category, "category_id")


def _read(path: Path, model: type[BaseModel], key: str) -> dict:
    items: dict = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                item = model.model_validate(row)
            except ValueError as exc:
                first = str(exc).splitlines()
                raise DefinitionError(f"{path.name} line {line_no}: {' '.join(first[:3])}") from exc
            ident = getattr(item, key)
            if ident in items:
                raise DefinitionError(f"{path.name} line {line_no}: duplicate {key} {ident!r}")
            items[ident] = item
    return items


def regions() -> dict[str, Region]:
    """The region's groups of municipalities (e.g. `parkstad`) and then its province (e.g. `limburg`),
    by id: the scopes and references besides single municipalities."""
    return _regions(region_path(region_spec()))


@lru_cache(maxsize=8)
def _regions(path: Path) -> dict[str, Region]:
    region = load_region(path)
    out = {g.id: Region(region_id=g.id, name=g.name.nl, gemeentecodes=g.gemeenten, source_url=g.source_url,
                        names=g.name.model_dump(), short_names=(g.short or g.name).model_dump())
           for g in region.regions}
    province = region.province_definition
    out[province.province_id] = Region(region_id=province.province_id, name=province.name,
                                       gemeentecodes=province.gemeentecodes, source_url=province.source_url,
                                       names={"nl": province.name, "en": province.name, "de": province.name})
    return out


def group_ids() -> list[str]:
    """The region's own groups (scopes and references), without the province."""
    return [g.id for g in current().regions]


def province_id() -> str:
    return current().province_definition.province_id


def priority_areas(directory: Path | None = None) -> dict[str, PriorityArea]:
    """The region's priority areas (or those of `directory`/priority_areas.csv, for checking a copy)."""
    return _priority_areas(directory / "priority_areas.csv" if directory else current().path_of("priority_areas"))


@lru_cache(maxsize=8)
def _priority_areas(path: Path) -> dict[str, PriorityArea]:
    areas = _read(path, PriorityArea, "area_id")
    allowed = set(current().gemeenten)
    outside = [a.area_id for a in areas.values() if a.gemeentecode not in allowed]
    if outside:
        raise DefinitionError(f"{path.name}: priority area(s) outside the region's municipalities: "
                              f"{', '.join(outside)}")
    return areas


@lru_cache(maxsize=4)
def themes(directory: Path = DEFINITIONS_DIR) -> dict[str, Theme]:
    return _read(directory / "themes.csv", Theme, "theme_id")


@lru_cache(maxsize=4)
def problems(directory: Path = DEFINITIONS_DIR) -> dict[str, Problem]:
    items = _read(directory / "problems.csv", Problem, "problem_id")
    known = themes(directory)
    for item in items.values():
        unknown = [t for t in item.initiative_themes if t not in known]
        if unknown:
            raise DefinitionError(f"problems.csv: {item.problem_id}: unknown initiative themes {unknown}")
    return items


def parkstad_codes() -> list[str]:
    """The municipalities of the region's first group (Parkstad for the default region)."""
    groups = current().regions
    return list(groups[0].gemeenten) if groups else list(current().gemeenten)


def limburg_codes() -> list[str]:
    """The municipalities of the comparison province (Limburg's 31 for the default region)."""
    return list(current().province_definition.gemeentecodes)


def focus_codes() -> list[str]:
    """The region's municipalities, whose wijken and buurten are loaded (13 for the default region)."""
    return list(current().gemeenten)

