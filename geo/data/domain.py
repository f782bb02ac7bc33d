"""Regions, priority areas and themes: definitions kept as CSV in data/, validated on load."""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from geo.config import DEFINITIONS_DIR

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
    definition: str
    precision: Literal["exact", "approximate", "coarse"]
    source_url: str

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


@lru_cache(maxsize=4)
def regions(directory: Path = DEFINITIONS_DIR) -> dict[str, Region]:
    return _read(directory / "regions.csv", Region, "region_id")


@lru_cache(maxsize=4)
def priority_areas(directory: Path = DEFINITIONS_DIR) -> dict[str, PriorityArea]:
    return _read(directory / "priority_areas.csv", PriorityArea, "area_id")


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
    return regions()["parkstad"].gemeentecodes


def limburg_codes() -> list[str]:
    return regions()["limburg"].gemeentecodes


def focus_codes() -> list[str]:
    """The 13 municipalities with wijken and buurten: Parkstad plus those holding a priority area."""
    codes = list(parkstad_codes())
    for area in priority_areas().values():
        if area.gemeentecode not in codes:
            codes.append(area.gemeentecode)
    return codes

