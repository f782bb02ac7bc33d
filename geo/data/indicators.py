"""The indicator catalogue (data/indicators.csv) and derived indicators.

An indicator's id is the PDOK property name where one exists. Derived indicators carry a formula over
other ids (+ - * / and parentheses only), evaluated per area; for aggregation, a `formula`
indicator is recomputed from the aggregated inputs rather than averaged.
"""

from __future__ import annotations

import ast
import csv
import operator
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator, model_validator

from geo.config import DEFINITIONS_DIR
from geo.data.domain import DefinitionError, categories, problems

LANGS = ("nl", "en", "de")


def _plain(text: str) -> str:
    return text.lower().replace(".", "").replace(",", "")


@lru_cache(maxsize=2)
def units(directory: Path = DEFINITIONS_DIR) -> dict[str, dict[str, str]]:
    """Units in the three languages, and whether the unit is what a count counts (data/units.csv)."""
    with open(directory / "units.csv", newline="", encoding="utf-8") as fh:
        return {row["unit"]: row for row in csv.DictReader(fh)}


class Indicator(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label_nl: str
    label_en: str
    label_de: str
    unit: str
    kind: Literal["count", "percentage", "per_1000", "per_100", "mean"]
    direction: Literal["higher_better", "higher_worse", "neutral"]
    aggregation: Literal["sum", "weighted_mean", "formula", "none"]
    weight: str | None = None
    formula: str | None = None
    decimals: int = Field(ge=0, le=4)
    category: str
    key: bool = False
    dataset: str
    note: str = ""  # Dutch; note_en and note_de in the other languages
    note_en: str = ""
    note_de: str = ""
    problem: str | None = None  # the Regio Deal problem (data/problems.csv) this indicator measures
    proxy: bool = False  # stands in for what the problem really asks (said wherever it is shown)
    compare_as: str | None = None  # for a count: the rate a comparison with an average uses instead
    reference_lag: int = Field(default=0, ge=0, le=5)  # the figure of data year N describes year N - lag (income)

    @field_validator("weight", "formula", "problem", "compare_as", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return v or None

    @model_validator(mode="after")
    def _consistent(self):
        if self.aggregation == "weighted_mean" and not self.weight:
            raise ValueError("weighted_mean needs a weight column")
        if self.aggregation == "formula" and not self.formula:
            raise ValueError("aggregation 'formula' needs a formula")
        if self.formula:
            formula_names(self.formula)  # raises on anything but arithmetic
        return self

    def label(self, lang: str = "nl") -> str:
        return getattr(self, f"label_{lang}", self.label_nl)

    def note_in(self, lang: str = "nl") -> str:
        return (getattr(self, f"note_{lang}", "") if lang != "nl" else "") or self.note

    def unit_in(self, lang: str = "nl") -> str:
        """The unit in words, or "" where it would only repeat the label ("Inwoners (inwoners)"): a count of
        inhabitants, households, dwellings, ... names what it counts already (data/units.csv)."""
        unit = units().get(self.unit)
        if unit is None:
            return self.unit
        if unit["counted"] == "1" and self.kind == "count":
            return ""
        text = self.unit_name(lang)
        label = _plain(self.label(lang))
        if (_plain(text) in label or (self.kind in ("per_100", "per_1000") and re.search(r"\b(per|je) 10", label))
                or (self.unit == "klasse" and "1 =" in label)):
            return ""  # the label says it already: "Woningen per 1000 inwoners", "Bijstand (% van inwoners 15+)"
        return text

    def unit_name(self, lang: str = "nl") -> str:
        """The unit in the page's language, always (for tables of definitions)."""
        unit = units().get(self.unit)
        return (unit.get(lang) or unit["nl"]) if unit else self.unit

    def titled(self, lang: str = "nl") -> str:
        """Label with its unit where the unit adds something: "Bevolkingsdichtheid (inw./km²)", "Inwoners"."""
        unit = self.unit_in(lang)
        return f"{self.label(lang)} ({unit})" if unit else self.label(lang)

    def reference_year(self, year: int) -> int:
        """The year a value of data year `year` describes: income in KWB data year N is income of N - 2."""
        return year - self.reference_lag

    def _reference_years(self, year: int | str) -> str:
        """reference_year of a year or of a range of years written "2019–2024"."""
        parts = str(year).split("–")
        shifted = [str(int(p) - self.reference_lag) if p.strip().isdigit() else p for p in parts]
        return "–".join(shifted)

    def source(self, year: int | str, period: str | None = None, lang: str = "nl") -> str:
        """Where a value of this indicator for `year` comes from, in words, with the year it describes where
        that differs ("Inkomen 2020, CBS Kerncijfers wijken en buurten 2022"; data/datasets.csv). `period` is the
        period in words where the dataset has one (geo.i18n.period_text: "maart 2024")."""
        templates = dataset_sources().get(self.dataset, {})
        template = templates.get(f"source_{lang}") or templates.get("source_nl") or self.dataset + " {year}"
        return template.format(year=year, period=period or year, reference_year=self._reference_years(year))

    def value_label(self, value, lang: str = "nl") -> str | None:
        """The name of a class value (Leefbaarometer 6 = "ruim voldoende"), from data/value_labels.csv."""
        labels = value_labels().get(self.id)
        if not labels or value is None or value != value:
            return None
        entry = labels.get(int(round(float(value))))
        return (entry.get(lang) or entry["nl"]) if entry else None

    @property
    def derived(self) -> bool:
        return self.formula is not None

    @property
    def inputs(self) -> list[str]:
        return formula_names(self.formula) if self.formula else []


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def formula_names(formula: str) -> list[str]:
    """The variable names a formula uses; raises ValueError for anything but plain arithmetic."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"formula {formula!r} is not valid: {exc.msg}") from exc
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in names:
                names.append(node.id)
        elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.USub, ast.Constant, ast.Load, *_OPS)):
            raise ValueError(f"formula {formula!r} may only use + - * / and parentheses")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise ValueError(f"formula {formula!r} has a non-numeric constant")
    return names


def evaluate(formula: str, values) -> pd.Series | float:
    """Evaluate a formula over a mapping of name -> Series/float; division by zero gives missing."""

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand)
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Div):
            right = right.where(right != 0) if isinstance(right, pd.Series) else (right or np.nan)
        return _OPS[type(node.op)](left, right)

    formula_names(formula)
    return walk(ast.parse(formula, mode="eval"))


class Catalogue:
    def __init__(self, indicators: list[Indicator]):
        self.indicators = {i.id: i for i in indicators}
        self._check()

    def _check(self) -> None:
        for ind in self.indicators.values():
            for name in ind.inputs:
                source = self.indicators.get(name)
                if ind.aggregation == "formula" and (source is None or source.aggregation != "sum"):
                    raise DefinitionError(
                        f"indicators.csv: {ind.id}: formula input {name!r} must be a catalogued sum indicator"
                    )
            if ind.problem and ind.problem not in problems():
                raise DefinitionError(f"indicators.csv: {ind.id}: unknown problem {ind.problem!r}")
            if ind.weight and ind.weight not in self.indicators:
                raise DefinitionError(f"indicators.csv: {ind.id}: weight {ind.weight!r} is not in the catalogue")
        self.derivation_order()  # raises on cycles

    def __getitem__(self, key: str) -> Indicator:
        return self.indicators[key]

    def __contains__(self, key: str) -> bool:
        return key in self.indicators

    def __iter__(self):
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def ids(self) -> list[str]:
        return list(self.indicators)

    def key_indicators(self) -> list[Indicator]:
        return [i for i in self if i.key]

    def for_problem(self, problem_id: str) -> list[Indicator]:
        return [i for i in self if i.problem == problem_id]

    def menu(self, lang: str = "nl", ids: list[str] | None = None) -> list[tuple[str, str]]:
        """(indicator id, its group) in the order a selector lists them: first by the Regio Deal problem an
        indicator measures (problems.csv order), then by subject (categories.csv order), so that typing a problem
        or subject ("armoede", "schulden") finds its indicators."""
        problem_list, category_list = list(problems()), list(categories())
        chosen = [self.indicators[i] for i in (ids if ids is not None else self.ids()) if i in self.indicators]

        def place(ind: Indicator) -> tuple[int, int]:
            if ind.problem in problem_list:
                return 0, problem_list.index(ind.problem)
            return 1, category_list.index(ind.category) if ind.category in category_list else len(category_list)

        def group(ind: Indicator) -> str:
            if ind.problem in problem_list:
                return problems()[ind.problem].label(lang)
            known = categories().get(ind.category)
            return known.label(lang) if known else ind.category

        ordered = [(ind.id, group(ind)) for ind in sorted(chosen, key=place)]  # stable: catalogue order within
        first = {}
        for position, (_, name) in enumerate(ordered):  # a subject named like a problem joins that problem's group
            first.setdefault(name, position)
        return sorted(ordered, key=lambda entry: first[entry[1]])

    def derivation_order(self) -> list[Indicator]:
        """Derived indicators so that each comes after the derived ones it uses."""
        done: list[str] = []
        pending = [i for i in self if i.derived]
        while pending:
            ready = [i for i in pending if all(n in done or not self._is_derived(n) for n in i.inputs)]
            if not ready:
                raise DefinitionError("indicators.csv: derived indicators depend on each other in a cycle")
            done += [i.id for i in ready]
            pending = [i for i in pending if i.id not in done]
        return [self.indicators[i] for i in done]

    def _is_derived(self, name: str) -> bool:
        return name in self.indicators and self.indicators[name].derived

    def add_derived(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Add every derived indicator as a column (missing inputs give missing values)."""
        frame = frame.copy()
        for ind in self.derivation_order():
            columns = {n: _numeric(frame, n) for n in ind.inputs}
            frame[ind.id] = evaluate(ind.formula, columns).astype("float64")
        return frame

    def available(self, frame: pd.DataFrame) -> list[Indicator]:
        """Indicators with at least one value in this layer."""
        return [i for i in self if i.id in frame.columns and pd.to_numeric(frame[i.id], errors="coerce").notna().any()]


def _numeric(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


@lru_cache(maxsize=2)
def value_labels(directory: Path = DEFINITIONS_DIR) -> dict[str, dict[int, dict[str, str]]]:
    """Names of the values of class indicators (data/value_labels.csv), per indicator and value."""
    out: dict[str, dict[int, dict[str, str]]] = {}
    with open(directory / "value_labels.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["indicator"], {})[int(row["value"])] = row
    return out


@lru_cache(maxsize=4)
def measure_checks(directory: Path = DEFINITIONS_DIR) -> list[dict[str, str]]:
    """Property names that carried a different CBS measure in some source or year (data/measure_checks.csv)."""
    with open(directory / "measure_checks.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def reconcile_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Move values that cannot be the measure their property name stands for to the name of the measure they
    are (data/measure_checks.csv says when and why), so that one indicator never joins two definitions."""
    for check in measure_checks():
        name, target = check["property"], check["becomes"]
        if name not in frame.columns:
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.notna().any() and float(values.median()) > float(check["median_above"]):
            frame = frame.copy()
            if target not in frame.columns or pd.to_numeric(frame[target], errors="coerce").isna().all():
                frame[target] = values
            frame[name] = np.nan
    return frame


@lru_cache(maxsize=4)
def dataset_sources(directory: Path = DEFINITIONS_DIR) -> dict[str, dict[str, str]]:
    with open(directory / "datasets.csv", newline="", encoding="utf-8") as fh:
        return {row["dataset"]: row for row in csv.DictReader(fh)}


@lru_cache(maxsize=4)
def catalogue(directory: Path = DEFINITIONS_DIR) -> Catalogue:
    path = directory / "indicators.csv"
    items = []
    with open(path, newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                items.append(Indicator.model_validate(row))
            except ValueError as exc:
                raise DefinitionError(f"{path.name} line {line_no}: {' '.join(str(exc).splitlines()[:3])}") from exc
    sources = dataset_sources(directory)
    for item in items:
        if item.dataset not in sources:
            raise DefinitionError(f"{path.name}: {item.id}: dataset {item.dataset!r} is not in datasets.csv")
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise DefinitionError(f"{path.name}: duplicate indicator ids")
    kinds = {i.id: i.kind for i in items}
    for item in items:
        if item.compare_as and kinds.get(item.compare_as) in (None, "count"):
            raise DefinitionError(f"{path.name}: {item.id}: compare_as {item.compare_as!r} is not a rate in the "
                                  "catalogue")
    return Catalogue(items)
