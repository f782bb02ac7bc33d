"""A local stand-in for PDOK's OGC API Features (and CBS OData), serving the shared snapshot.

It behaves like GoKoala where the client cares: `limit` 1..1000 (400 otherwise), property filters,
opaque cursor `next` links, pages shorter than `limit`, `/schema`; and it can misbehave on demand
(503, 429 with Retry-After, slow answers, broken JSON, 404, sentinel values, ignored filters).
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

RESERVED = {"f", "limit", "cursor", "crs", "bbox", "bbox-crs", "datetime"}


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    return gzip.compress(b'{"type": "FeatureCollection", "features": [' + b" " * (100 * 2**20), 9)


@dataclass
class Fault:
    match: str  # substring of the request path + query
    kind: str  # "503", "429", "500", "404", "slow", "badjson", "notgeojson", "gzipbomb", "cut", "redirect"
    times: int = 1  # how many matching requests misbehave (-1: all)


@dataclass
class ServerState:
    root: Path
    max_page: int = 1000  # the server may return fewer than `limit`
    faults: list[Fault] = field(default_factory=list)
    sentinels: dict[str, dict[str, float]] = field(default_factory=dict)  # code -> {property: value}
    ignore_filters: bool = False
    slow_seconds: float = 2.0
    requests: list[str] = field(default_factory=list)
    odata_tables: dict[str, list[dict]] = field(default_factory=dict)
    odata_page: int = 100
    locations: list[dict] = field(default_factory=list)  # Locatieserver documents (lookup shape)
    files: dict[str, bytes] = field(default_factory=dict)  # path -> body: downloads such as the Leefbaarometer zip
    wfs_layers: dict[str, list[dict]] = field(default_factory=dict)  # Leefbaarometer WFS: typeNames -> features
    _documents: dict[Path, list[dict]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def features(self, path: Path) -> list[dict]:
        with self.lock:
            if path not in self._documents:
                self._documents[path] = json.loads(path.read_text(encoding="utf-8"))["features"]
            return self._documents[path]

    def take_fault(self, target: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match in target and fault.times != 0:
                    fault.times -= 1 if fault.times > 0 else 0
                    return fault
        return None


class Handler(BaseHTTPRequestHandler):
    server_version = "GoKoala-standin/1.0"
    state: ServerState  # set per server class

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type="application/geo+json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, status: int, obj, **kw):
        self._send(status, json.dumps(obj).encode(), **kw)

    def do_GET(self):  # noqa: N802 - http.server naming
        state = self.state
        state.requests.append(self.path)
        fault = state.take_fault(self.path)
        if fault:
            if fault.kind == "slow":
                time.sleep(state.slow_seconds)
            elif fault.kind == "badjson":
                return self._send(200, b'{"type": "FeatureCollection", "features": [{"type": "Fea')
            elif fault.kind == "notgeojson":
                return self._json(200, {"hello": "world"})
            elif fault.kind == "gzipbomb":  # 0.1 MB on the wire, 100 MB unpacked
                return self._send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
            elif fault.kind == "cut":  # the connection breaks off in the middle of the answer
                self.send_response(200)
                self.send_header("Content-Type", "application/geo+json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b'{"type": "FeatureCollection", "features": [')
                self.wfile.flush()
                self.close_connection = True
                return None
            elif fault.kind == "redirect":  # to another host (127.0.0.2 is another address on this machine)
                port = self.server.server_address[1]
                return self._send(302, b"", headers={"Location": f"http://127.0.0.2:{port}{self.path}"})
            elif fault.kind == "429":
                return self._json(429, {"title": "Too Many Requests"}, headers={"Retry-After": "0"})
            else:
                return self._json(int(fault.kind), {"title": f"stand-in fault {fault.kind}"})
        url = urlparse(self.path)
        if url.path in state.files:
            return self._send(200, state.files[url.path], content_type="application/zip")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        if parts[:2] == ["ODataApi", "OData"] and len(parts) == 4:
            return self._odata(parts[2], query)
        if parts == ["lbm3", "ows"]:
            return self._wfs(query)
        if parts[:4] == ["bzk", "locatieserver", "search", "v3_1"] and len(parts) == 5:
            return self._locatieserver(parts[4], query)
        if len(parts) == 4 and parts[2:4] == ["ogc", "v1"]:  # landing page: one API per data year
            if not (state.root / parts[0] / parts[1]).is_dir():
                return self._json(404, {"title": "Not Found", "detail": f"no dataset {parts[1]}"})
            return self._json(200, {"title": parts[1], "links": []}, content_type="application/json")
        if len(parts) == 6 and parts[2:4] == ["ogc", "v1"] and parts[4] == "collections":
            return self._collection(parts, query)
        if len(parts) == 7 and parts[2:4] == ["ogc", "v1"] and parts[6] in ("items", "schema"):
            file = state.root / parts[0] / parts[1] / f"{parts[5]}.geojson"
            if not file.is_file():
                return self._json(404, {"title": "Not Found", "detail": f"collection {parts[5]} not found"})
            if parts[6] == "schema":
                return self._schema(file, parts[5])
            return self._items(file, query)
        return self._json(404, {"title": "Not Found"})

    def _collection(self, parts, query):
        file = self.state.root / parts[0] / parts[1] / f"{parts[5]}.geojson"
        if not file.is_file():
            return self._json(404, {"title": "Not Found"})
        return self._json(200, {"id": parts[5], "links": []}, content_type="application/json")

    def _schema(self, file: Path, collection: str):
        props = {}
        for feature in self.state.features(file)[:50]:
            for key, value in feature["properties"].items():
                props[key] = {"type": "number" if isinstance(value, (int, float)) else "string"}
        return self._json(200, {"$id": collection, "type": "object", "properties": props},
                          content_type="application/schema+json")

    def _items(self, file: Path, query: dict):
        state = self.state
        try:
            limit = int(query.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            return self._json(400, {"title": "Bad Request", "detail": "limit should be between 1 and 1000"})
        filters = {k: v for k, v in query.items() if k not in RESERVED}
        offset = 0
        if "cursor" in query:
            try:
                cursor = json.loads(base64.urlsafe_b64decode(query["cursor"].encode()))
                offset = int(cursor["o"])
                if cursor["q"] != filters:
                    raise ValueError("cursor does not match the filters")
            except (ValueError, KeyError, TypeError):
                return self._json(400, {"title": "Bad Request", "detail": "invalid cursor"})
        features = state.features(file)
        if filters and not state.ignore_filters:
            features = [f for f in features if all(str(f["properties"].get(k)) == v for k, v in filters.items())]
        page = [self._with_sentinels(f) for f in features[offset: offset + min(limit, state.max_page)]]
        links = [{"rel": "self", "href": self._url(query)}]
        end = offset + len(page)
        if end < len(features):
            token = base64.urlsafe_b64encode(json.dumps({"o": end, "q": filters}).encode()).decode()
            links.append({"rel": "next", "type": "application/geo+json",
                          "href": self._url({"f": "json", "limit": str(limit), **filters, "cursor": token})})
        body = {"type": "FeatureCollection", "timeStamp": "2026-11-22T00:00:00Z", "links": links,
                "numberReturned": len(page), "features": page}
        return self._json(200, body)

    def _with_sentinels(self, feature: dict) -> dict:
        props = feature["properties"]
        code = props.get("buurtcode") or props.get("wijkcode") or props.get("gemeentecode")
        extra = self.state.sentinels.get(code)
        if not extra:
            return feature
        return {**feature, "properties": {**props, **extra}}

    def _url(self, query: dict) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{urlparse(self.path).path}?{urlencode(query)}"

    def _locatieserver(self, service: str, query: dict):
        """`suggest` and `lookup` in the v3.1 response shape; like the real one, q is required on suggest."""
        allowed = {"suggest": {"q", "rows", "fq", "start", "fl", "wt"}, "lookup": {"id", "fl", "wt"}}
        if service not in allowed:
            return self._json(404, {"message": "unknown service"}, content_type="application/json")
        unknown = set(query) - allowed[service]
        if unknown:  # v3.1 rejects parameters that are not in its OpenAPI spec
            return self._json(400, {"message": f"unknown parameter(s): {sorted(unknown)}"},
                              content_type="application/json")
        if service == "suggest":
            if not query.get("q"):
                return self._json(400, {"message": "q is required"}, content_type="application/json")
            words = query["q"].lower().split()
            docs = [{"type": d["type"], "weergavenaam": d["weergavenaam"], "id": d["id"], "score": 10.0}
                    for d in self.state.locations if all(w in d["weergavenaam"].lower() for w in words)]
            docs = docs[: int(query.get("rows", 10))]
        else:
            docs = [d for d in self.state.locations if d["id"] == query.get("id")]
        body = {"response": {"numFound": len(docs), "start": 0, "maxScore": 10.0, "numFoundExact": True,
                             "docs": docs}}
        if service == "suggest":
            body |= {"highlighting": {d["id"]: {"suggest": [d["weergavenaam"]]} for d in docs},
                     "spellcheck": {"suggestions": [], "collations": []}}
        return self._json(200, body, content_type="application/json")

    def _wfs(self, query: dict):
        """GetFeature as GeoServer answers it with outputFormat=application/json, paged by count/startIndex."""
        if query.get("request") != "GetFeature" or query.get("outputFormat") != "application/json":
            return self._json(400, {"exception": "only GetFeature as JSON"}, content_type="application/json")
        features = self.state.wfs_layers.get(query.get("typeNames", ""))
        if features is None:
            return self._json(400, {"exception": f"unknown layer {query.get('typeNames')}"},
                              content_type="application/json")
        start, count = int(query.get("startIndex", "0")), int(query.get("count", "1000000"))
        page = features[start: start + count]
        return self._json(200, {"type": "FeatureCollection", "numberMatched": len(features),
                                "numberReturned": len(page), "features": page}, content_type="application/json")

    def _odata(self, table: str, query: dict):
        rows = self.state.odata_tables.get(table)
        if rows is None:
            return self._json(404, {"odata.error": {"message": {"value": "table not found"}}})
        skip = int(query.get("$skip", "0"))
        page = rows[skip: skip + self.state.odata_page]
        body = {"odata.metadata": "stand-in", "value": page}
        if skip + len(page) < len(rows):
            host, port = self.server.server_address[:2]
            body["odata.nextLink"] = (f"http://{host}:{port}/ODataApi/OData/{table}/TypedDataSet?"
                                      + urlencode({"$format": "json", "$skip": skip + len(page)}))
        return self._json(200, body, content_type="application/json")


class StandIn:
    """Run the server on 127.0.0.1 with a free port in a daemon thread; use as a context manager."""

    def __init__(self, root: Path, **options):
        self.state = ServerState(root=Path(root), **options)
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
