"""PDOK Locatieserver v3.1: `suggest` for what a resident types, `lookup` for the chosen result.

Same base URL as the data layer ($PDOK_API_URL). Short timeouts: a resident is waiting, and the page
falls back to searching names in the cache when this service does not answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.config import pdok_url
from geo.data.pdok import PdokClient, RetryPolicy, SourceError

PATH = "/bzk/locatieserver/search/v3_1"
POLICY = RetryPolicy(attempts=2, backoff=0.3, max_backoff=1.0, timeout=4.0, deadline=8.0)
_POINT = re.compile(r"POINT\s*\(\s*(-?\d+(?:\.\d+)?)\s+(-?\d+(?:\.\d+)?)\s*\)", re.IGNORECASE)
SUGGEST_TYPES = "type:(adres OR postcode OR weg OR woonplaats)"


@dataclass(frozen=True)
class Suggestion:
    id: str
    label: str
    type: str


@dataclass(frozen=True)
class Location:
    label: str
    type: str
    lon: float
    lat: float
    buurtcode: str | None
    gemeentecode: str | None


def _docs(answer) -> list[dict]:
    response = answer.get("response") if isinstance(answer, dict) else None
    docs = response.get("docs") if isinstance(response, dict) else None
    if not isinstance(docs, list):
        raise SourceError("the Locatieserver answer has no response.docs")
    return [d for d in docs if isinstance(d, dict)]


def parse_point(wkt: str | None) -> tuple[float, float] | None:
    match = _POINT.match(wkt or "")
    return (float(match[1]), float(match[2])) if match else None


class Locatieserver:
    def __init__(self, base_url: str | None = None, policy: RetryPolicy | None = None):
        self.client = PdokClient(f"{(base_url or pdok_url()).rstrip('/')}{PATH}", policy or POLICY)

    def suggest(self, query: str, rows: int = 8) -> list[Suggestion]:
        query = " ".join(query.split())[:120]
        if not query:
            return []
        answer = self.client.get_json(f"{self.client.base_url}/suggest",
                                      {"q": query, "rows": rows, "fq": SUGGEST_TYPES})
        return [Suggestion(str(d["id"]), str(d.get("weergavenaam") or d["id"]), str(d.get("type", "")))
                for d in _docs(answer) if d.get("id")]

    def lookup(self, doc_id: str) -> Location:
        answer = self.client.get_json(f"{self.client.base_url}/lookup", {"id": doc_id})
        docs = _docs(answer)
        if not docs:
            raise SourceError(f"the Locatieserver has no result {doc_id!r}")
        doc = docs[0]
        point = parse_point(doc.get("centroide_ll"))
        if point is None:
            raise SourceError("the Locatieserver result has no point (centroide_ll)")
        gemeente = str(doc.get("gemeentecode") or "").strip()
        if gemeente and not gemeente.startswith("GM"):
            gemeente = "GM" + gemeente.zfill(4)  # the Locatieserver writes 0917, CBS GM0917
        buurt = str(doc.get("buurtcode") or "").strip() or None
        return Location(str(doc.get("weergavenaam") or doc_id), str(doc.get("type", "")), point[0], point[1],
                        buurt, gemeente or None)
