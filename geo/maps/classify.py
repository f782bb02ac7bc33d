"""Choropleth classes, colour-blind-safe palettes and the legend.

Sequential data use ColorBrewer YlGnBu; differences from a reference use the diverging PuOr,
centred on 0 (both are marked colour-blind safe by ColorBrewer). Missing values get their own
class, drawn in light grey with a hatch in the map and explained in the legend.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

SCHEMES = ("quantiles", "natural_breaks", "equal_interval")
MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES = 3, 7, 5
MISSING_COLOUR = "#d9d9d9"

SEQUENTIAL = {  # ColorBrewer YlGnBu
    3: ["#edf8b1", "#7fcdbb", "#2c7fb8"],
    4: ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"],
    5: ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"],
    6: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"],
    7: ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
}
DIVERGING = {  # ColorBrewer PuOr: orange below the reference, purple above
    3: ["#f1a340", "#f7f7f7", "#998ec3"],
    4: ["#e66101", "#fdb863", "#b2abd2", "#5e3c99"],
    5: ["#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"],
    6: ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"],
    7: ["#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"],
}


@dataclass(frozen=True)
class LegendClass:
    lower: float | None
    upper: float | None
    colour: str
    count: int
    missing: bool = False


@dataclass(frozen=True)
class Classification:
    classes: list[LegendClass]  # value classes, then the missing class when there are missing values
    class_of: pd.Series  # class index per row; -1 for missing
    diverging: bool
    whole: bool = False  # every value is a whole number (counts): classes can be labelled 1, 2, 3–4

    def colour_of(self, index: int) -> str:
        return MISSING_COLOUR if index < 0 else self.classes[index].colour

    def colours(self) -> pd.Series:
        return self.class_of.map(self.colour_of)


def classify(values: pd.Series, scheme: str = "quantiles", k: int = DEFAULT_CLASSES,
             diverging: bool = False) -> Classification:
    """Class breaks for `values` (NaN = missing). Fewer distinct values than k gives fewer classes."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}")
    k = int(min(max(k, MIN_CLASSES), MAX_CLASSES))
    values = pd.to_numeric(values, errors="coerce").astype("float64")
    present = values.dropna()
    class_of = pd.Series(-1, index=values.index, dtype="int64")
    classes: list[LegendClass] = []
    if len(present):
        bounds = _diverging_bounds(present, k) if diverging else _bounds(present, scheme, k)
        bins = np.asarray(bounds[1:], dtype="float64")
        index = np.searchsorted(bins, present.to_numpy(), side="left").clip(0, len(bins) - 1)
        class_of.loc[present.index] = index
        palette = _palette(len(bins), diverging)
        counts = np.bincount(index, minlength=len(bins))
        classes = [LegendClass(float(bounds[i]), float(bounds[i + 1]), palette[i], int(counts[i]))
                   for i in range(len(bins))]
    missing = int(values.isna().sum())
    if missing:
        classes.append(LegendClass(None, None, MISSING_COLOUR, missing, missing=True))
    whole = bool(len(present)) and bool(np.all(np.equal(np.mod(present.to_numpy(), 1), 0)))
    return Classification(classes, class_of, diverging, whole)


def _bounds(present: pd.Series, scheme: str, k: int) -> list[float]:
    distinct = np.unique(present.to_numpy())
    if len(distinct) == 1:
        return [float(distinct[0]), float(distinct[0])]
    k = min(k, len(distinct))
    values = present.to_numpy()
    if scheme == "quantiles":
        breaks = quantile_bins(values, k)
    elif scheme == "equal_interval":
        breaks = equal_interval_bins(values, k)
    else:
        breaks = fisher_jenks_bins(values, k)
    bins = sorted(set(float(b) for b in breaks))  # quantiles can repeat a break on tied data
    return [float(present.min()), *bins]


def quantile_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds as mapclassify.Quantiles computes them (linear percentiles at 100/k steps), without
    importing mapclassify: its import pulls in SciPy and scikit-learn, a second on a cold start."""
    step = 100.0 / k
    percents = np.minimum(np.arange(step, 100 + step / 2, step), 100.0)
    return np.unique(np.percentile(values, percents))


def equal_interval_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds as mapclassify.EqualInterval computes them: k equal steps from min, the last at max."""
    low, high = float(values.min()), float(values.max())
    bins = low + (high - low) / k * np.arange(1, k + 1)
    bins[-1] = high
    return bins


def fisher_jenks_bins(values: np.ndarray, k: int) -> np.ndarray:
    """Natural breaks (Fisher-Jenks) from mapclassify, imported only when this scheme is asked for."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed" is only about speed
        import mapclassify

        return np.asarray(mapclassify.FisherJenks(values, k=k).bins, dtype="float64")


def _diverging_bounds(present: pd.Series, k: int) -> list[float]:
    """Symmetric equal steps around 0 so that the neutral colour means 'as the reference'."""
    extent = float(np.abs(present.to_numpy()).max()) or 1.0
    edges = np.linspace(-extent, extent, k + 1)
    return [float(e) for e in edges]


def _palette(n: int, diverging: bool) -> list[str]:
    table = DIVERGING if diverging else SEQUENTIAL
    if n in table:
        return table[n]
    if n < MIN_CLASSES:  # one or two classes: take the ends of the smallest palette
        base = table[MIN_CLASSES]
        return [base[-1]] if n == 1 else [base[0], base[-1]]
    return table[MAX_CLASSES][:n]
