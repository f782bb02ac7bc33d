"""Client for PDOK's OGC API Features (GoKoala): cursor paging, retries with bounded backoff.

Contract (../shared/pdok-snapshot/PDOK_API.md): always ask `limit=1000`, follow `links[rel=next]`
verbatim until there is none (pages may be shorter than `limit`), retry 429/5xx/timeouts, and give up
with a clear one-line error well within a minute.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

USER_AGENT = "parkstad-dashboard/1.0 (+https://github.com/; open-source civic dashboard)"
RETRY_STATUS = {429, 500, 502, 503, 504}
REDIRECT_STATUS = {301, 302, 303, 307, 308}
MAX_PAGES = 10_000
MAX_JSON_BYTES = 128 * 2**20  # one answer, unpacked: a page of 1,000 full-detail buurten is some tens of MB
MAX_REDIRECTS = 5


class SourceError(RuntimeError):
    """A data source could not deliver; the message is one line meant for the user."""


class NotFound(SourceError):
    """The server answered 404: the thing asked for does not exist there (not a network problem)."""


@dataclass
class RetryPolicy:
    attempts: int = 4  # tries per request, the first included
    backoff: float = 1.0  # seconds before the 2nd try; doubles each time
    max_backoff: float = 8.0
    timeout: float = 15.0  # seconds per request (connect and read)
    deadline: float = 45.0  # seconds for one request including all its retries


class PdokClient:
    def __init__(
        self,
        base_url: str,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self._sleep = sleep
        self.requests_made = 0

    def get_json(self, url: str, params: dict | None = None) -> dict:
        """GET a JSON document, retrying transient failures; raise SourceError when it gives up. The body is
        read as it is unpacked, and refused past MAX_JSON_BYTES (a small gzip answer may unpack to gigabytes)."""
        return self._get(url, params, "application/geo+json, application/json",
                         lambda response: _read_json(response, url), stream=True)

    def get_bytes(self, url: str, params: dict | None = None, max_bytes: int = 200 * 2**20) -> bytes:
        """GET a file (a zip, a CSV), at most `max_bytes` of it: a larger answer is refused, not read."""
        return self._get(url, params, "*/*", lambda response: _read_capped(response, url, max_bytes), stream=True)

    def _get(self, url: str, params: dict | None, accept: str, read: Callable[[requests.Response], object],
             stream: bool = False):
        """The retry loop: transient failures (timeouts, 429, 5xx, an unreadable body) are tried again within
        the policy's deadline; anything else raises SourceError with one line for the user."""
        policy = self.policy
        started = time.monotonic()
        last_problem = "no attempt made"
        for attempt in range(1, policy.attempts + 1):
            remaining = policy.deadline - (time.monotonic() - started)
            if remaining <= 0:
                break
            retry_after = None
            try:
                self.requests_made += 1
                response = self._follow(url, params, min(policy.timeout, remaining), accept, stream)
            except requests.Timeout:
                last_problem = f"no answer within {policy.timeout:g} s"
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                last_problem = f"cannot connect ({_short(exc)})"  # also: a connection cut mid-answer
            else:
                if response.status_code == 200:
                    try:
                        return read(response)
                    except _Unreadable as exc:
                        last_problem = str(exc)
                elif response.status_code in RETRY_STATUS:
                    last_problem = f"HTTP {response.status_code}"
                    retry_after = _retry_after(response)
                else:
                    error = NotFound if response.status_code == 404 else SourceError
                    raise error(f"{_display(url)} answered HTTP {response.status_code}: {_body_hint(response)}")
            if attempt < policy.attempts:
                wait = min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff)
                if retry_after is not None:
                    wait = min(max(wait, retry_after), policy.max_backoff)
                if time.monotonic() - started + wait >= policy.deadline:
                    break
                self._sleep(wait)
        raise SourceError(f"gave up on {_display(url)} after {attempt} tries: {last_problem}")

    def _follow(self, url: str, params: dict | None, timeout: float, accept: str, stream: bool) -> requests.Response:
        """GET, following redirects only on the same scheme and host: a redirect elsewhere is refused and named
        (the source is the one configured, never whatever it points to)."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self.session.get(url, params=params, timeout=timeout, headers={"Accept": accept},
                                        stream=stream, allow_redirects=False)
            if response.status_code not in REDIRECT_STATUS or not response.headers.get("Location"):
                return response
            target = urljoin(response.url or url, response.headers["Location"])
            response.close()
            if _host(target) != _host(url):
                raise SourceError(f"{_display(url)} redirects to another host ({_host(target)}): refused")
            url, params = target, None
        raise SourceError(f"{_display(url)} redirects more than {MAX_REDIRECTS} times")

    def iter_features(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Yield every feature of `{base}{path}` (an `/items` URL), following `next` links."""
        url: str | None = f"{self.base_url}{path}"
        query = {"f": "json", "limit": 1000, **(params or {})}
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self.get_json(url, query)
            if not isinstance(page, dict) or page.get("type") != "FeatureCollection":
                raise SourceError(f"{_display(url)} did not return a GeoJSON FeatureCollection")
            features = page.get("features")
            if not isinstance(features, list):
                raise SourceError(f"{_display(url)} returned a FeatureCollection without features")
            yield from features
            url = next_link(page)
            if url is None:
                return
            if url in seen:
                raise SourceError(f"{_display(url)} links back to a page already read (paging loop)")
            seen.add(url)
            query = None  # the next link carries every parameter; use it verbatim
        raise SourceError(f"more than {MAX_PAGES} pages at {_display(path)}")


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class _Unreadable(Exception):
    """The body of a 200 answer could not be read (worth another try)."""


def _read_json(response: requests.Response, url: str):
    content = _read_capped(response, url, MAX_JSON_BYTES)
    try:
        return json.loads(content)
    except ValueError as exc:
        raise _Unreadable("the response is not valid JSON") from exc


def _read_capped(response: requests.Response, url: str, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise SourceError(f"{_display(url)} is {int(declared) / 2**20:.0f} MB, more than the "
                          f"{max_bytes / 2**20:.0f} MB allowed")
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if size > max_bytes:
                response.close()
                raise SourceError(f"{_display(url)} is more than the {max_bytes / 2**20:.0f} MB allowed")
            chunks.append(chunk)
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
        raise _Unreadable(f"the connection broke off ({_short(exc)})") from exc
    return b"".join(chunks)


def next_link(page: dict) -> str | None:
    for link in page.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def _retry_after(response: requests.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _display(url: str) -> str:
    return url.split("?", 1)[0]


def _short(exc: Exception) -> str:
    """The useful part of a requests connection error (they nest several layers deep)."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] [^'\")\]]+", r"NameResolutionError[^:]*: [^'\")]+", r"Connection refused"):
        match = re.search(pattern, text)
        if match:
            return match.group(0).strip()
    return type(exc).__name__


def _body_hint(response: requests.Response) -> str:
    try:
        data = response.json()
        text = data.get("detail") or data.get("title") or data.get("description") or ""
    except (ValueError, AttributeError):
        text = response.text
    text = " ".join(str(text).split())
    return (text or response.reason or "no details")[:200]
