"""What an initiative is, and how rows from a file or a form are checked against it.

Checks that need the boundary data (do these codes exist?) take a `Reference`, so the schema itself
stays usable without a cache.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from geo.data import domain
from geo.data.region import current as current_region

STATUSES = ("planned", "running", "completed")
COLUMNS = (
    "initiative_id", "name", "programme", "area_id", "gemeentecodes", "buurtcodes", "theme_ids", "partners",
    "budget_eur", "budget_note", "status", "status_as_of", "start_year", "end_year", "description_nl",
    "source_url", "lat", "lon",
)
MAX_BUDGET_EUR = 10e9  # more than any area programme; a larger number is a typo or a unit mistake
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def finite_or_none(value):
    """A number as it may be shown or exported: None for inf and nan (rows stored before they were refused)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _no_control(text: str) -> str:
    """Control characters (other than tab and line breaks) are never meant; spreadsheets cannot hold them."""
    found = _CONTROL.search(text)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X}; remove it")
    return text


def _codes(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.replace(",", " ").split()
    return [str(v).strip() for v in value if str(v).strip()]


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class Initiative(BaseModel):
    initiative_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")
    name: str = Field(min_length=1, max_length=300)
    programme: str = Field(min_length=1, max_length=200)
    area_id: str | None = None
    gemeentecodes: list[str] = Field(default_factory=list)
    buurtcodes: list[str] = Field(default_factory=list)
    theme_ids: list[str] = Field(min_length=1)
    partners: list[str] = Field(default_factory=list)
    budget_eur: float | None = None  # checked by _budget: finite, 0 .. MAX_BUDGET_EUR
    budget_note: str = Field(default="", max_length=1000)
    status: Literal["planned", "running", "completed"]
    status_as_of: int = Field(ge=1990, le=2100)
    start_year: int | None = Field(default=None, ge=1990, le=2100)
    end_year: int | None = Field(default=None, ge=1990, le=2100)
    description_nl: str = Field(default="", max_length=5000)
    source_url: str = Field(max_length=2000)
    lat: float | None = Field(default=None, allow_inf_nan=False)
    lon: float | None = Field(default=None, allow_inf_nan=False)

    @field_validator("name", "programme", "budget_note", "description_nl", mode="before")
    @classmethod
    def _strip(cls, v):
        return _no_control(v.strip()) if isinstance(v, str) else v

    @field_validator("area_id", mode="before")
    @classmethod
    def _area(cls, v):
        v = (v or "").strip() if isinstance(v, str) or v is None else v
        if v and v not in domain.priority_areas():
            raise ValueError(f"unknown priority area {v!r}")
        return v or None

    @field_validator("gemeentecodes", "buurtcodes", mode="before")
    @classmethod
    def _area_codes(cls, v, info):
        pattern, what = ((domain.GM_CODE, "municipality") if info.field_name == "gemeentecodes"
                         else (domain.BU_CODE, "buurt"))
        codes = _codes(v)
        bad = [c for c in codes if not pattern.match(c)]
        if bad:
            raise ValueError(f"not a {what} code: {', '.join(bad)}")
        return list(dict.fromkeys(codes))

    @field_validator("theme_ids", mode="before")
    @classmethod
    def _themes(cls, v):
        ids = list(dict.fromkeys(_codes(v)))
        unknown = [t for t in ids if t not in domain.themes()]
        if unknown:
            raise ValueError(f"unknown theme(s): {', '.join(unknown)}")
        return ids

    @field_validator("partners", mode="before")
    @classmethod
    def _partners(cls, v):
        names = [_no_control(name) for name in _names(v)]
        if len(names) > 100 or any(len(name) > 300 for name in names):
            raise ValueError("at most 100 partners of at most 300 characters each")
        return names

    @field_validator("source_url")
    @classmethod
    def _url(cls, v):
        v = v.strip()
        if not _URL.match(v):
            raise ValueError("source_url must be an http(s) address")
        return v

    @field_validator("budget_eur", "start_year", "end_year", "lat", "lon", mode="before")
    @classmethod
    def _blank_number(cls, v):
        if isinstance(v, str):
            v = v.strip().replace("\u00a0", "")
            return v or None
        return v

    @field_validator("budget_eur", mode="after")
    @classmethod
    def _budget(cls, v):
        if v is None:
            return v
        if not math.isfinite(v):
            raise ValueError("budget_eur must be a finite amount in euros (not inf, nan or a number out of range)")
        if v < 0:
            raise ValueError("budget_eur cannot be negative")
        if v > MAX_BUDGET_EUR:
            raise ValueError(f"budget_eur {v:,.0f} is above the plausible maximum of EUR 10 billion; "
                             "give the amount in euros")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError(f"end_year {self.end_year} is before start_year {self.start_year}")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if self.lat is not None:
            minx, miny, maxx, maxy = current_region().bbox
            if not (miny <= self.lat <= maxy and minx <= self.lon <= maxx):
                raise ValueError(f"coordinates {self.lat}, {self.lon} lie outside the region "
                                 f"({current_region().name.get('en')})")
        if self.area_id:
            area_gm = domain.priority_areas()[self.area_id].gemeentecode
            if area_gm not in self.gemeentecodes:
                self.gemeentecodes = [*self.gemeentecodes, area_gm]
        for code in self.buurtcodes:
            gm = "GM" + code[2:6]
            if gm not in self.gemeentecodes:
                self.gemeentecodes = [*self.gemeentecodes, gm]
        return self

    def as_row(self) -> dict:
        """Flat text form, as in data/initiatives.csv."""
        return {
            **self.model_dump(),
            "area_id": self.area_id or "",
            "gemeentecodes": " ".join(self.gemeentecodes),
            "buurtcodes": " ".join(self.buurtcodes),
            "theme_ids": " ".join(self.theme_ids),
            "partners": "; ".join(self.partners),
        }


@dataclass
class Reference:
    """Codes that exist in the boundary data."""

    gemeenten: set[str]
    buurten: set[str]

    @classmethod
    def from_data(cls, data) -> Reference:
        return cls(set(data.layers["gemeenten"]["gemeentecode"]), set(data.layers["buurten"]["buurtcode"]))


@dataclass
class Problem:
    row: int  # as a spreadsheet shows it: the header is row 1, the first initiative row 2
    initiative_id: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row} ({self.initiative_id or 'no id'}): {self.message}"


@dataclass
class Checked:
    initiatives: list[Initiative] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _messages(error: ValidationError) -> list[str]:
    out = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "row"
        message = item["msg"].removeprefix("Value error, ")
        out.append(f"{where}: {message}")
    return out


def check_rows(rows: list[dict], reference: Reference) -> Checked:
    """Validate every row (never stopping at the first problem); ids must be unique in the file."""
    result = Checked()
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        row = {k.strip(): v for k, v in raw.items() if isinstance(k, str) and k.strip() in COLUMNS}
        ident = str(row.get("initiative_id") or "").strip()
        try:
            initiative = Initiative.model_validate(row)
        except ValidationError as exc:
            messages = _messages(exc)
            raw_codes = Initiative.model_construct(gemeentecodes=_codes(row.get("gemeentecodes")),
                                                   buurtcodes=_codes(row.get("buurtcodes")))
            messages += [m for m in check_codes(raw_codes, reference) if m.split(":")[0] not in str(messages)]
            result.problems += [Problem(number, ident, m) for m in messages]
            continue
        problems = check_codes(initiative, reference)
        if ident in seen:
            problems.append(f"duplicate initiative_id (also row {seen[ident]})")
        seen.setdefault(ident, number)
        if problems:
            result.problems += [Problem(number, ident, m) for m in problems]
        else:
            result.initiatives.append(initiative)
    return result


def check_codes(initiative: Initiative, reference: Reference) -> list[str]:
    problems = []
    unknown_gm = [c for c in initiative.gemeentecodes if c not in reference.gemeenten]
    if unknown_gm:
        problems.append(f"gemeentecodes not in the boundary data: {', '.join(unknown_gm)}")
    unknown_bu = [c for c in initiative.buurtcodes if c not in reference.buurten]
    if unknown_bu:
        problems.append(f"buurtcodes not in the boundary data: {', '.join(unknown_bu)}")
    return problems
