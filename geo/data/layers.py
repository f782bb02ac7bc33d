"""Which boundary layers the dashboard needs, where each lives in PDOK, and for which municipalities."""

from __future__ import annotations

from dataclasses import dataclass

from geo.data import domain


@dataclass(frozen=True)
class Layer:
    name: str  # name in the cache
    dataset: str  # PDOK dataset path, `{year}` filled in
    collection: str
    key: str  # unique code column
    name_column: str
    per_municipality: bool  # fetched with a gemeentecode filter, one municipality at a time
    scope: str  # "province" (its municipalities), "focus" (the region's) or "outline" (the province itself)

    def dataset_path(self, year: int) -> str:
        return self.dataset.format(year=year)

    def municipalities(self) -> list[str]:
        if self.scope == "province":
            return domain.limburg_codes()
        if self.scope == "focus":
            return domain.focus_codes()
        return []


CBS = "/cbs/wijken-en-buurten-{year}/ogc/v1"
BRK = "/kadaster/brk-bestuurlijke-gebieden/ogc/v1"

LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer("gemeenten", CBS, "gemeenten", "gemeentecode", "gemeentenaam", True, "province"),
        Layer("wijken", CBS, "wijken", "wijkcode", "wijknaam", True, "focus"),
        Layer("buurten", CBS, "buurten", "buurtcode", "buurtnaam", True, "focus"),
        Layer("provincie", BRK, "provinciegebied", "code", "naam", False, "outline"),
    )
}
LEVELS = ("gemeenten", "wijken", "buurten")  # the map levels, coarse to fine
FIRST_YEAR = 2019  # the first data year a default sync asks for (the Regio Deal's baseline period)
