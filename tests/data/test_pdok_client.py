"""The real PDOK client against the local stand-in: paging, filters, retries, giving up."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from geo.data.layers import LAYERS
from geo.data.pdok import PdokClient, SourceError
from geo.data.sources import PdokApiSource
from tests.conftest import FAST
from tests.pdok_server import Fault

BUURTEN = "/cbs/wijken-en-buurten-2024/ogc/v1/collections/buurten/items"


def item_requests(server):
    return [r for r in server.state.requests if "/items" in r]


def test_follows_next_links_over_short_pages(pdok):
    pdok.state.max_page = 7  # the server returns fewer than the limit asked
    features = list(PdokClient(pdok.url, FAST).iter_features(BUURTEN, {"gemeentecode": "GM0917"}))
    assert len(features) == 57
    assert len({f["properties"]["buurtcode"] for f in features}) == 57
    requests = item_requests(pdok)
    assert len(requests) == 9  # ceil(57 / 7)
    first = parse_qs(urlparse(requests[0]).query)
    assert first["limit"] == ["1000"] and first["gemeentecode"] == ["GM0917"]
    assert all("cursor=" in r for r in requests[1:])  # the next link was followed verbatim


def test_filter_ignored_by_server_is_enforced_by_client(pdok):
    pdok.state.ignore_filters = True
    frame = PdokApiSource(pdok.url, FAST).fetch(LAYERS["buurten"], 2024, "GM0981")
    assert set(frame["gemeentecode"]) == {"GM0981"}
    assert len(frame) == 9


@pytest.mark.parametrize("kind", ["503", "500", "429", "badjson", "slow"])
def test_transient_failures_are_retried(pdok, kind):
    pdok.state.slow_seconds = 1.0  # longer than FAST.timeout
    pdok.state.faults.append(Fault("gemeentecode=GM0965", kind, times=2))
    client = PdokClient(pdok.url, FAST)
    features = list(client.iter_features(BUURTEN, {"gemeentecode": "GM0965"}))
    assert len(features) == 9
    assert client.requests_made == 3


@pytest.mark.parametrize(
    ("kind", "words"),
    [("503", "HTTP 503"), ("badjson", "not valid JSON"), ("slow", "no answer within")],
)
def test_gives_up_with_one_line_reason(pdok, kind, words):
    pdok.state.slow_seconds = 1.0
    pdok.state.faults.append(Fault("/items", kind, times=-1))
    client = PdokClient(pdok.url, FAST)
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        list(client.iter_features(BUURTEN, {"gemeentecode": "GM0965"}))
    message = str(info.value)
    assert words in message and "\n" not in message
    assert client.requests_made == FAST.attempts
    assert time.monotonic() - started < FAST.deadline + FAST.timeout


def test_client_errors_are_not_retried(pdok):
    client = PdokClient(pdok.url, FAST)
    with pytest.raises(SourceError, match="HTTP 404.*not found"):
        list(client.iter_features("/cbs/wijken-en-buurten-2024/ogc/v1/collections/nope/items"))
    assert client.requests_made == 1


def test_answer_that_is_not_geojson_is_rejected(pdok):
    pdok.state.faults.append(Fault("/items", "notgeojson", times=-1))
    with pytest.raises(SourceError, match="not return a GeoJSON FeatureCollection"):
        list(PdokClient(pdok.url, FAST).iter_features(BUURTEN))


def test_unreachable_server_fails_quickly():
    client = PdokClient("http://127.0.0.1:9", FAST)
    with pytest.raises(SourceError, match="cannot connect"):
        client.get_json("http://127.0.0.1:9/x")


def test_sentinels_become_missing(pdok):
    pdok.state.sentinels = {"WK091710": {"aantal_inwoners": -99997, "woningvoorraad": -99995}}
    frame = PdokApiSource(pdok.url, FAST).fetch(LAYERS["wijken"], 2024, "GM0917")
    row = frame.set_index("wijkcode").loc["WK091710"]
    assert row.isna()["aantal_inwoners"] and row.isna()["woningvoorraad"]
    other = frame.set_index("wijkcode").loc["WK091711"]
    assert other["aantal_inwoners"] > 0


def test_a_small_answer_that_unpacks_to_gigabytes_is_refused(pdok, monkeypatch):
    """Issue 23.6: the size is checked while the answer is unpacked, never after."""
    import geo.data.pdok as pdok_module

    monkeypatch.setattr(pdok_module, "MAX_JSON_BYTES", 8 * 2**20)
    from tests.pdok_server import gzip_bomb

    gzip_bomb()  # made once, before the timed requests
    pdok.state.faults.append(Fault("/items", "gzipbomb", times=-1))
    with pytest.raises(SourceError, match="more than the 8 MB allowed"):
        list(PdokClient(pdok.url, FAST).iter_features(BUURTEN))


def test_a_connection_cut_mid_answer_is_retried(pdok):
    pdok.state.faults.append(Fault("gemeentecode=GM0965", "cut", times=1))
    client = PdokClient(pdok.url, FAST)
    assert len(list(client.iter_features(BUURTEN, {"gemeentecode": "GM0965"}))) == 9
    assert client.requests_made == 2


def test_a_redirect_to_another_host_is_refused_and_named(pdok):
    pdok.state.faults.append(Fault("/items", "redirect", times=-1))
    with pytest.raises(SourceError, match=r"redirects to another host \(http://127\.0\.0\.2:\d+\): refused"):
        list(PdokClient(pdok.url, FAST).iter_features(BUURTEN))
