"""Why a figure is empty. Every "–" the app shows says which of these it is, in the page's language:

- `no_year`: the cache has no such data year;
- `not_loaded`: no area of this level has the figure in the loaded data of that year (the source and year
  that would have it are named, and the years that do have it);
- `not_at_level`: the loaded data has the figure that year, but only for a coarser level (the finest level
  that has it is named, so that a page can link to that view);
- `suppressed`: CBS marks the cell: -99997 "secret or not present" (small areas, privacy), -99995
  "published in a later version", -99991 "no longer published at this level" (CBS, Toelichting Wijk- en
  Buurtkaart 2022, 2023 en 2024, chapter 3). Only said where the source gave such a code;
- `no_value`: the level has the figure for other areas, the source gives none for this one and no reason;
- `partial`: an aggregate some of whose members have no value (coverage is said: "1 van 31");
- `not_additive`: the figure cannot be aggregated to larger areas at all (a class such as urbanity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from geo.data.aggregate import Aggregate
from geo.data.area_data import AreaData
from geo.data.layers import LAYERS, LEVELS
from geo.data.normalize import SENTINEL_COLUMN
from geo.i18n import t

INHABITANTS = "aantal_inwoners"
SMALL_AREA = 200  # inhabitants: below this an area is called small where CBS keeps a figure secret
REASONS = ("no_year", "not_loaded", "not_at_level", "suppressed", "no_value", "partial", "not_additive")
SENTINEL_MEANINGS = {-99997: "secret", -99995: "later", -99991: "discontinued"}
LEVEL_WORDS = {"gemeenten": "gemeente", "wijken": "wijk", "buurten": "buurt"}
LAYER_KEYS = {name: LAYERS[name].key for name in LEVELS}


@dataclass(frozen=True)
class Missing:
    reason: str
    year: int | None = None
    indicator_id: str | None = None
    source: str | None = None  # not_loaded: the source (and year) that would have it
    level: str | None = None  # not_at_level: the finest layer that has it; partial: the members' layer
    sentinel: int | None = None  # suppressed: the code CBS gave
    covered: int | None = None  # partial
    members: int | None = None
    years_with_values: tuple[int, ...] = field(default_factory=tuple)  # not_loaded: where the level has it
    inhabitants: int | None = None  # suppressed: the area's inhabitants, where known (a small area is said so)

    def text(self, lang: str = "nl") -> str:
        """One short sentence for a table cell, tooltip or note."""
        if self.reason == "not_loaded":
            text = t("missing_not_loaded", lang, source=self.source or "")
            if self.years_with_values:
                text += " " + t("missing_other_years", lang, years=", ".join(map(str, self.years_with_values)))
            return text
        if self.reason == "not_at_level":
            return t("missing_not_at_level", lang, year=self.year,
                     level=t(f"missing_level_{LEVEL_WORDS[self.level]}", lang))
        if self.reason == "suppressed":
            meaning = SENTINEL_MEANINGS.get(self.sentinel, "secret")
            if meaning == "secret" and (self.inhabitants is None or self.inhabitants >= SMALL_AREA):
                return t("missing_suppressed_secret_not_small", lang)  # "too small" only where it is true
            return t(f"missing_suppressed_{meaning}", lang)
        if self.reason == "partial":
            return t("missing_partial", lang, covered=self.covered, members=self.members,
                     members_word=t(f"missing_members_{self.level or 'gemeenten'}", lang))
        return t(f"missing_{self.reason}", lang, year=self.year)

    @property
    def finest_level(self) -> str | None:
        """The explorer level (gemeente, wijk) that has the figure, for a link to that view."""
        return LEVEL_WORDS.get(self.level) if self.reason == "not_at_level" and self.level else None

    def as_json(self) -> dict:
        out = {"reason": self.reason, "year": self.year}
        for name in ("source", "level", "sentinel", "covered", "members", "inhabitants"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.years_with_values:
            out["years_with_values"] = list(self.years_with_values)
        return out


def _column(frame: pd.DataFrame, indicator_id: str) -> pd.Series | None:
    if indicator_id not in frame.columns:
        return None
    return pd.to_numeric(frame[indicator_id], errors="coerce")


def _has_values(data: AreaData, layer: str, indicator_id: str) -> bool:
    column = _column(data.layers[layer], indicator_id)
    return column is not None and bool(column.notna().any())


def _sentinel_code(raw, column: str) -> int | None:
    """The CBS code the source gave for `column`, from the row's SENTINEL_COLUMN JSON (None: it gave none)."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and raw != raw):
        return None
    try:
        code = json.loads(raw).get(column)
    except (ValueError, AttributeError, TypeError):
        return None
    return int(code) if isinstance(code, int) else None


def level_reason(data: AreaData, layer: str, indicator_id: str, year: int, lang: str = "nl") -> Missing | None:
    """Why a whole level has no value for the indicator in `year` (None when some area of it has one)."""
    if year not in data.years:
        return Missing("no_year", year, indicator_id)
    year_data = data.for_year(year)
    if _has_values(year_data, layer, indicator_id):
        return None
    indicator = data.catalogue[indicator_id]
    coarser = [name for name in LEVELS[: LEVELS.index(layer)] if _has_values(year_data, name, indicator_id)]
    if coarser:
        return Missing("not_at_level", year, indicator_id, level=coarser[-1])
    other_years = tuple(y for y in data.years if y != year and _has_values(data.for_year(y), layer, indicator_id))
    return Missing("not_loaded", year, indicator_id, source=indicator.source(year, None, lang),
                   years_with_values=other_years)


def why_missing(data: AreaData, code: str, indicator_id: str, year: int, lang: str = "nl",
                memo: dict | None = None) -> Missing | None:
    """Why one area (gemeente, wijk or buurt code) has no value in `year`; None when it has one."""
    if year not in data.years:
        return Missing("no_year", year, indicator_id)
    layer = data.for_year(year).level_of(code)
    if layer is None:
        return Missing("no_value", year, indicator_id)
    return reasons_for_level(data, layer, indicator_id, year, [code], lang, memo).get(code)


def reasons_for_level(data: AreaData, layer: str, indicator_id: str, year: int, codes, lang: str = "nl",
                      memo: dict | None = None) -> dict[str, Missing]:
    """Why each of these areas of one level has no value in `year` (areas with a value are left out), column-wise:
    a map asks this for hundreds of areas; `memo` keeps the per-level answers across calls."""
    memo = {} if memo is None else memo
    if year not in data.years:
        return {code: Missing("no_year", year, indicator_id) for code in codes}
    key = (layer, indicator_id, year, lang)
    if key not in memo:
        memo[key] = level_reason(data, layer, indicator_id, year, lang)
    if memo[key] is not None:
        return {code: memo[key] for code in codes}
    frame = data.for_year(year).layers[layer]
    frame = frame[frame[LAYER_KEYS[layer]].isin(list(codes))]
    values = _column(frame, indicator_id)
    empty = frame[values.isna()] if values is not None else frame
    out: dict[str, Missing] = {}
    indicator = data.catalogue[indicator_id]
    for name in indicator.inputs:  # a derived figure is missing because one of its inputs is
        open_codes = [c for c in empty[LAYER_KEYS[layer]].tolist() if c not in out]
        if name in data.catalogue and open_codes:
            for code, reason in reasons_for_level(data, layer, name, year, open_codes, lang, memo).items():
                if reason.reason in ("suppressed", "no_value", "not_loaded", "not_at_level"):
                    out[code] = Missing(reason.reason, year, indicator_id, reason.source, reason.level,
                                        reason.sentinel, years_with_values=reason.years_with_values,
                                        inhabitants=reason.inhabitants)
    coded = (empty[SENTINEL_COLUMN].tolist() if SENTINEL_COLUMN in empty.columns else [None] * len(empty))
    people = empty[INHABITANTS].tolist() if INHABITANTS in empty.columns else [None] * len(empty)
    for code, raw, count in zip(empty[LAYER_KEYS[layer]].tolist(), coded, people, strict=True):
        if code in out:
            continue
        sentinel = _sentinel_code(raw, indicator_id)
        known = count is not None and count == count and count >= 0  # not NaN, not a CBS code
        out[code] = (Missing("suppressed", year, indicator_id, sentinel=sentinel,
                             inhabitants=int(count) if known else None) if sentinel is not None
                     else Missing("no_value", year, indicator_id))
    return out


def why_aggregate_missing(data: AreaData, result: Aggregate, layer: str, indicator_id: str, year: int,
                          lang: str = "nl") -> Missing | None:
    """Why an aggregate over members of `layer` has no value; None when it has one."""
    if result.value is not None:
        return None
    if not result.additive:
        return Missing("not_additive", year, indicator_id)
    if result.published:  # the Netherlands: a figure CBS publishes, or none in the loaded data
        return Missing("not_loaded", year, indicator_id, source=t("missing_national_source", lang, year=year))
    if year not in data.years:
        return Missing("no_year", year, indicator_id)
    whole_level = level_reason(data, layer, indicator_id, year, lang)
    if whole_level is not None:
        return whole_level
    return Missing("partial", year, indicator_id, level=layer, covered=result.covered, members=result.members)
