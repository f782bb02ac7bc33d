"""What streamlit-folium sends to the browser for a map, computed once and reused.

`st_folium` renders a folium map on every call: Jinja templates compiled per element, the GeoJSON serialised,
the Leaflet script assembled (measured: about 0.12 s of server CPU per explorer run with 449 buurten, a third of
the page). The result depends only on the map's content, never on the visitor, so pages compute it once per cache
generation and view (`component_arguments`, cached by the page) and hand the same arguments to the component on
every run (`show`). Identical arguments also make Streamlit send the browser a reference to the map it already
has instead of the map again.

The arguments are taken from `st_folium` itself: while `component_arguments` runs, this thread's call of the
component is recorded instead of sent. So the strings are exactly what `st_folium` of the pinned streamlit-folium
produces (tests/test_map_component.py compares them), including the key that keeps the map mounted while
its layers are swapped.
"""

from __future__ import annotations

import threading

import folium
import streamlit_folium

from geo.maps.assets import self_host
from geo.maps.leaflet import allow_zoom

_recording = threading.local()


class _Recorder:
    """Stands in for streamlit-folium's component function: passes calls through, except in a thread that is
    recording, where it keeps the arguments and sends nothing."""

    def __init__(self, component):
        self.component = component

    def __call__(self, **arguments):
        if getattr(_recording, "active", False):
            _recording.arguments = arguments
            return None
        return self.component(**arguments)


if not isinstance(streamlit_folium._component_func, _Recorder):
    streamlit_folium._component_func = _Recorder(streamlit_folium._component_func)


def component_arguments(fmap: folium.Map, key: str, height: int, returned_objects: list[str],
                        layers: list | None = None, static_url: str = "/app/static", **options) -> dict:
    """The arguments `st_folium` gives its component for this map: libraries from the app's own copies
    (`static_url`), only the events asked for, and `layers` (feature groups) swapped into the map in place on a
    later run, so that the map keeps its zoom; they get a layer control."""
    self_host(fmap, static_url, layers or ())
    if layers:
        options |= {"feature_group_to_add": layers, "layer_control": folium.LayerControl(collapsed=False)}
    _recording.active, _recording.arguments = True, None
    try:
        streamlit_folium.st_folium(fmap, key=key, height=height, use_container_width=True,
                                   returned_objects=returned_objects, **options)
        arguments = _recording.arguments
    finally:
        _recording.active, _recording.arguments = False, None
    if arguments is None:
        raise RuntimeError("streamlit-folium did not call its component: check the pinned version")
    return arguments | {"header": allow_zoom(arguments["header"])}


def show(arguments: dict):
    """Send a map (arguments from `component_arguments`) to the page; returns what the visitor did on it."""
    return streamlit_folium._component_func.component(**arguments)
