"""The map libraries served by the app itself, so that no page asks a CDN for anything.

folium names every JavaScript and CSS file it needs (`default_js`, `default_css` on the map and on
plugins such as MarkerCluster) with a CDN URL. The same files come from XStatic packages on PyPI,
installed by `pip install -r requirements.txt`; `install` copies them into the app's `static/` folder
(served by Streamlit at `/app/static/`) and `self_host` points every element of a map at those copies.
Libraries the maps do not need (Bootstrap, Font Awesome, awesome-markers: folium's defaults for icon
markers, which this app does not use) are dropped, so a page never loads anything from a third party.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import tempfile
from pathlib import Path

import folium

VENDOR = "vendor"
# folium's name for a file -> (XStatic package under xstatic.pkg, path in its data folder)
ASSETS: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": ("jquery", "jquery.min.js"),  # folium builds popups with $(...)
    "markerclusterjs": ("leaflet_markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet_markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet_markercluster", "MarkerCluster.Default.css"),
}
EXTRA_FILES = {"leaflet": ["images/layers.png", "images/layers-2x.png", "images/marker-icon.png",
                           "images/marker-icon-2x.png", "images/marker-shadow.png"]}  # referenced by leaflet.css
UNUSED = {"bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css", "awesome_markers_font_css",
          "awesome_markers_css", "awesome_rotate_css"}


class AssetsMissing(RuntimeError):
    """An XStatic package is not installed; the message says how to install it."""


def package_dir(package: str) -> Path:
    try:
        module = importlib.import_module(f"xstatic.pkg.{package}")
    except ImportError as exc:
        raise AssetsMissing(f"map library package xstatic-{package.replace('_', '-')} is not installed: "
                            "run `python -m pip install -r requirements.txt`") from exc
    return Path(module.BASE_DIR)


def _files() -> list[tuple[str, str]]:
    wanted = {(package, name) for package, name in ASSETS.values()}
    wanted |= {(package, name) for package, names in EXTRA_FILES.items() for name in names}
    return sorted(wanted)


def install(static_dir: Path) -> list[Path]:
    """Copy the library files into `static_dir/vendor/<package>/`; unchanged files are left alone, and each
    write is atomic (a browser never gets half a file). Returns the files written."""
    written = []
    for package, name in _files():
        source = package_dir(package) / name
        target = static_dir / VENDOR / package / name
        content = source.read_bytes()
        if target.is_file() and hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(content).digest():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def url_of(name: str, base_url: str) -> str:
    package, file = ASSETS[name]
    return f"{base_url.rstrip('/')}/{VENDOR}/{package}/{file}"


def _elements(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _elements(child)


def self_host(fmap: folium.Map, base_url: str = "/app/static", layers=()) -> folium.Map:
    """Point every library that the map and its swappable `layers` name at the app's own copy; raise on
    one it has none of. jQuery is loaded only when there are popups (folium builds those with it)."""
    elements = [e for root in (fmap, *layers) for e in _elements(root)]
    skip = set(UNUSED)
    if not any(isinstance(e, folium.Popup) or getattr(e, "objects_to_stay_in_front", None) for e in elements):
        skip.add("jquery")
    for element in elements:
        if not isinstance(element, folium.elements.JSCSSMixin):
            continue
        for attribute in ("default_js", "default_css"):
            entries = getattr(element, attribute, [])
            unknown = [name for name, _ in entries if name not in ASSETS and name not in UNUSED]
            if unknown:
                raise AssetsMissing(f"no local copy of map libraries {unknown}: add them to geo/maps/assets.py")
            setattr(element, attribute, [(name, url_of(name, base_url)) for name, _ in entries if name not in skip])
    return fmap
