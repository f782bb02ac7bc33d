"""Find a buurt, wijk or gemeente by name in the cache: accent- and case-insensitive, tolerant of typos.

The fallback when the Locatieserver cannot be reached, and a help when someone types a name rather
than an address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from geo.data import domain
from geo.data.area_data import AreaData
from geo.initiatives.filters import fold

LEVEL_ORDER = {"buurt": 0, "wijk": 1, "gemeente": 2}
MIN_SCORE = 75
_WIJK_PREFIX = re.compile(r"^wijk\s+\d+\s+", re.IGNORECASE)  # CBS: "Wijk 00 Schaesberg"


@dataclass(frozen=True)
class NameHit:
    code: str
    level: str  # "buurt", "wijk" or "gemeente"
    name: str
    context: str  # wijk and gemeente it lies in
    score: float


class NameIndex:
    def __init__(self, data: AreaData):
        self.entries: list[tuple[str, str, str, str]] = []  # code, level, name, context
        focus = set(domain.focus_codes())
        for row in data.layers["buurten"].itertuples():
            wijk = data.name_of(row.wijkcode) or ""
            self.entries.append((row.buurtcode, "buurt", row.buurtnaam,
                                 f"{clean_wijk_name(wijk)}, {row.gemeentenaam}" if wijk else row.gemeentenaam))
        for row in data.layers["wijken"].itertuples():
            self.entries.append((row.wijkcode, "wijk", clean_wijk_name(row.wijknaam), row.gemeentenaam))
        for row in data.layers["gemeenten"].itertuples():
            if row.gemeentecode in focus:
                self.entries.append((row.gemeentecode, "gemeente", row.gemeentenaam, "Limburg"))
        self.folded = [fold(name) for _, _, name, _ in self.entries]

    def search(self, query: str, limit: int = 10) -> list[NameHit]:
        needle = fold(" ".join(query.split()))
        if len(needle) < 2:
            return []
        scored: dict[int, float] = {}
        # whole-name similarity: a typo in a long name must not lose to a short name it contains
        for _, score, index in process.extract(needle, self.folded, scorer=fuzz.ratio, limit=limit * 4):
            scored[index] = score
        words = re.compile(rf"(^|[\s\-/]){re.escape(needle)}($|[\s\-/])")
        for index, name in enumerate(self.folded):  # exact, prefix and whole-word matches come first
            if name == needle:
                scored[index] = 200.0
            elif name.startswith(needle):
                scored[index] = max(scored.get(index, 0), 150.0 - len(name) / 100)
            elif words.search(name):
                scored[index] = max(scored.get(index, 0), 140.0 - len(name) / 100)
        hits = [
            NameHit(*self.entries[i], score=s) for i, s in scored.items()
            if s >= MIN_SCORE and (len(needle) >= 4 or s >= 140)  # two or three letters: no fuzzy guesses
        ]
        hits.sort(key=lambda h: (-h.score, LEVEL_ORDER[h.level], h.name))
        return hits[:limit]


def clean_wijk_name(name: str) -> str:
    return _WIJK_PREFIX.sub("", name).strip()
