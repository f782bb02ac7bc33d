"""The accessibility statement: standard, status, how it was checked, known deviations (data/accessibility.yaml).

The same file is the browser test's list of accepted axe-core findings (tests/test_accessibility.py), so the
statement on `/toegankelijkheid` says exactly what the tests allow.
"""

from __future__ import annotations

import fnmatch
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from geo.config import DEFINITIONS_DIR
from geo.data.region import Names


class Deviation(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    criterion: str = Field(pattern=r"^\d\.\d{1,2}\.\d{1,2}$")  # WCAG 2.1 success criterion, e.g. 1.4.3
    what: Names
    cause: Names
    plan: Names
    axe_rules: list[str] = Field(default_factory=list)  # axe-core rule ids this deviation explains
    pages: list[str] = Field(default_factory=lambda: ["*"])  # URL paths (glob) where those rules are accepted
    frame: Literal["top", "map", "any"] = "any"

    def allows(self, rule: str, path: str, frame: str) -> bool:
        """Whether an axe-core finding of `rule` on `path` in `frame` ("top" or "map") is this deviation."""
        return (rule in self.axe_rules and self.frame in ("any", frame)
                and any(fnmatch.fnmatchcase(path, pattern) for pattern in self.pages))


class Statement(BaseModel):
    standard: str
    checked: date
    method: Names
    deviations: list[Deviation] = Field(default_factory=list)

    @property
    def status(self) -> Literal["full", "partial"]:
        return "partial" if self.deviations else "full"

    def deviation_for(self, rule: str, path: str, frame: str) -> Deviation | None:
        return next((d for d in self.deviations if d.allows(rule, path, frame)), None)


@lru_cache(maxsize=2)
def statement(directory: Path = DEFINITIONS_DIR) -> Statement:
    with open(directory / "accessibility.yaml", encoding="utf-8") as fh:
        return Statement.model_validate(yaml.safe_load(fh))
