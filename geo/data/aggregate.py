"""Aggregate indicators from member areas (buurten, wijken, gemeenten) to larger areas.

The one rule for every aggregate the app shows (CLI, pages, charts, cards, exports, maps): a value stands
on all its members or there is none. Missing values are never treated as 0, and an aggregate of only some
members is never passed off as the area's value: it has `value` None and says how many members had one
(`covered` of `members`), so that the coverage can be shown instead ("1 van 31 gemeenten").

For a weighted mean, a member whose weight is known to be 0 (a buurt without inhabitants) adds nothing to
the mean whatever its value, so it counts as covered.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from geo.data.indicators import Catalogue, Indicator, evaluate


@dataclass(frozen=True)
class Aggregate:
    value: float | None  # None unless every member is covered
    members: int  # how many member areas there are
    covered: int  # how many of them contributed a value (or were known not to matter)
    additive: bool = True  # False: the indicator cannot be aggregated at all (a class, for instance)
    published: bool = False  # True: a total CBS publishes itself (the Netherlands), not summed here

    def __post_init__(self):
        if self.value is not None and not self.complete:  # the rule, whoever builds an Aggregate
            object.__setattr__(self, "value", None)

    @property
    def partial(self) -> bool:
        """Some members have a value, not all: coverage is shown instead of a value."""
        return 0 < self.covered < self.members

    @property
    def complete(self) -> bool:
        return self.members > 0 and self.covered == self.members

    @property
    def coverage(self) -> float:
        return self.covered / self.members if self.members else 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _col(frame: pd.DataFrame, name: str | None) -> pd.Series:
    if not name or name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def aggregate(frame: pd.DataFrame, indicator: Indicator) -> Aggregate:
    """One indicator over all rows of `frame` (the member areas)."""
    members = len(frame)
    if indicator.aggregation == "none":
        return Aggregate(None, members, 0, additive=False)
    if members == 0:
        return Aggregate(None, 0, 0)
    if indicator.aggregation == "sum":
        values = _col(frame, indicator.id).dropna()
        return Aggregate(float(values.sum()) if len(values) else None, members, int(len(values)))
    if indicator.aggregation == "weighted_mean":
        values, weights = _col(frame, indicator.id), _col(frame, indicator.weight)
        usable = values.notna() & weights.notna() & (weights > 0)
        weightless = int((weights == 0).sum())  # contributes nothing, whatever its value
        total = weights[usable].sum()
        if not usable.any() or total <= 0:
            return Aggregate(None, members, weightless)
        return Aggregate(float((values[usable] * weights[usable]).sum() / total), members,
                         int(usable.sum()) + weightless)
    # formula: sum each input over the members that have all inputs, then apply the formula
    inputs = {name: _col(frame, name) for name in indicator.inputs}
    usable = pd.concat(inputs.values(), axis=1).notna().all(axis=1) if inputs else pd.Series(False, index=frame.index)
    if not usable.any():
        return Aggregate(None, members, 0)
    value = evaluate(indicator.formula, {n: float(s[usable].sum()) for n, s in inputs.items()})
    value = None if value is None or not np.isfinite(value) else float(value)
    return Aggregate(value, members, int(usable.sum()) if value is not None else 0)


def aggregate_all(frame: pd.DataFrame, catalogue: Catalogue) -> dict[str, Aggregate]:
    return {ind.id: aggregate(frame, ind) for ind in catalogue}
