"""A map's component arguments, computed once (app_pages/map_component.py): exactly what st_folium sends, libraries
from the app itself, the same component key while only the layers change, and no other thread's map swallowed."""

from __future__ import annotations

import re
import threading

import folium
import streamlit_folium

from app_pages import map_component
from geo.maps.choropleth import build_choropleth, gemeente_outlines, prepare_geometry
from geo.maps.explorer import View
from geo.maps.leaflet import base_map, choropleth_layer, outline_layer

RANDOM_IDS = re.compile(r"_[0-9a-f]{32}")


def explorer_map(area_data, view: View):
    """The explorer's map of a view, as app_pages/explorer.py builds it."""
    prepared = prepare_geometry(area_data, view.level, view.area)
    fmap = base_map(prepared.bounds, view.lang)
    group = folium.FeatureGroup(name=view.indicator)
    choropleth_layer(prepared.collection(build_choropleth(area_data, view).properties), view.indicator,
                     prepared.bounds).add_to(group)
    return fmap, [group, outline_layer(gemeente_outlines(area_data), "gemeenten", "#333333", 1.6)]


def arguments(area_data, view: View) -> dict:
    fmap, layers = explorer_map(area_data, view)
    return map_component.component_arguments(fmap, f"explorer_{view.level}_{view.area}", 560,
                                             ["last_active_drawing"], layers)


def comparable(args: dict) -> dict:
    """The arguments without what differs between two renders of the same map: folium's random element ids."""
    return {k: RANDOM_IDS.sub("_id", v) if isinstance(v, str) else v for k, v in args.items() if k != "on_change"}


def test_the_arguments_are_what_st_folium_itself_sends(area_data, monkeypatch):
    view = View(level="gemeente", area="parkstad", indicator="aantal_inwoners", year=area_data.year)
    sent = {}
    monkeypatch.setattr(streamlit_folium._component_func, "component", lambda **kw: sent.update(kw))
    fmap, layers = explorer_map(area_data, view)
    from geo.maps.assets import self_host

    self_host(fmap, "/app/static", layers)
    streamlit_folium.st_folium(fmap, key="explorer_gemeente_parkstad", height=560, use_container_width=True,
                               returned_objects=["last_active_drawing"], feature_group_to_add=layers,
                               layer_control=folium.LayerControl(collapsed=False))
    assert sent, "st_folium did not reach its component"
    ours = arguments(area_data, view)
    assert "user-scalable=no" in sent["header"] and "user-scalable" not in ours["header"]  # the one change
    assert comparable(ours | {"header": sent["header"]}) == comparable(sent)


def test_libraries_come_from_the_app_and_the_areas_are_in_the_layers(area_data):
    args = arguments(area_data, View(level="buurt", area="GM0917", indicator="aantal_inwoners", year=area_data.year))
    assert args["js_links"] and all(link.startswith("/app/static/vendor/") for link in args["js_links"])
    assert all(link.startswith("/app/static/vendor/") for link in args["css_links"])
    assert args["feature_group"].count("BU0917") >= 57  # every Heerlen buurt, in the swappable layer
    assert args["returned_objects"] == ["last_active_drawing"]


def test_a_new_indicator_keeps_the_map_a_new_scope_replaces_it(area_data):
    """The component key comes from the base map: equal while only the layers change (zoom kept)."""
    base = View(level="gemeente", area="parkstad", indicator="aantal_inwoners", year=area_data.year)
    first = arguments(area_data, base)
    other_indicator = arguments(area_data, View(**{**base.__dict__, "indicator": "bijstand_pct_kwartaal"}))
    other_scope = arguments(area_data, View(**{**base.__dict__, "area": "limburg"}))
    assert first["key"] == other_indicator["key"] and first["feature_group"] != other_indicator["feature_group"]
    assert first["key"] != other_scope["key"]


def test_recording_is_per_thread_and_ends_with_the_call(area_data, monkeypatch):
    """While one session's map is being recorded, another session's map still reaches the browser."""
    sent = []
    monkeypatch.setattr(streamlit_folium._component_func, "component", lambda **kw: sent.append(kw) or "shown")
    map_component._recording.active = True  # this thread records ...
    try:
        other = []
        thread = threading.Thread(target=lambda: other.append(streamlit_folium._component_func(script="x")))
        thread.start()
        thread.join()
        assert other == ["shown"] and sent == [{"script": "x"}]  # ... another thread's call went through
    finally:
        map_component._recording.active = False
    arguments(area_data, View(level="gemeente", area="parkstad", indicator="aantal_inwoners", year=area_data.year))
    assert map_component.show({"script": "y"}) == "shown" and sent[-1] == {"script": "y"}  # recording ended
