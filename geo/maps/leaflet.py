"""Map geometry prepared for the browser, and the folium map itself.

Geometry is simplified as a coverage (shared borders stay shared, no slivers or gaps) to roughly
screen resolution, coordinates are rounded to about a metre, and each feature carries only what the
map needs: its code, fill colour and a tooltip whose every data-derived part is HTML-escaped.
"""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.config import ATTRIBUTION, LICENCE, LICENCE_URL
from geo.i18n import DEFAULT_LANGUAGE, t
from geo.maps.classify import MISSING_COLOUR

RD_NEW = "EPSG:28992"
DECIMALS = 5  # 1e-5 degree is 1.1 m north-south, 0.7 m east-west here
BRT_GREY = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
def tile_attribution(lang: str = DEFAULT_LANGUAGE) -> str:
    return (f'{t("tile_attribution", lang)}: <a href="https://www.pdok.nl">Kadaster/PDOK</a> BRT-Achtergrondkaart | '
            f'Data: {ATTRIBUTION} (<a href="{LICENCE_URL}">{LICENCE}</a>)')


# The attribution stays in the right-hand part of the map and wraps there, so that it never covers the scale bar
# (bottom left) on a narrow map; the scale keeps clear of the basemap notice. Its links are underlined (told apart
# from the text by more than colour, WCAG 1.4.1). The map shows a focus ring inside its frame (the frame would clip
# one drawn outside: WCAG 2.4.7). On a narrow map the layer list folds into its button, opened by hover, tap or
# focus, so that it never covers the zoom buttons (WCAG 1.4.10).
MAP_CSS = """<style>
.leaflet-control-attribution{max-width:62%;white-space:normal;line-height:1.3;font-size:11px;text-align:right}
.leaflet-control-attribution a{text-decoration:underline}
.leaflet-bottom.leaflet-left .leaflet-control-scale{margin-bottom:8px}
.leaflet-container:focus-visible{outline:3px solid #1f4e8c;outline-offset:-3px}
.leaflet-container a:focus-visible,.leaflet-control-layers input:focus-visible{
  outline:2px solid #1f4e8c;outline-offset:1px}
@media (max-width: 480px) {
  .leaflet-control-layers-expanded:not(:hover):not(:focus-within){padding:0}
  .leaflet-control-layers-expanded:not(:hover):not(:focus-within) .leaflet-control-layers-list{display:none}
  .leaflet-control-layers-expanded:not(:hover) .leaflet-control-layers-toggle{display:block}
}
</style>"""

# Leaflet writes zoom and layer buttons in English, and its viewport tag forbids zooming (WCAG 1.4.4).
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'


def allow_zoom(header: str) -> str:
    """folium's map header with a viewport tag that lets the visitor zoom (folium sets user-scalable=no)."""
    return _VIEWPORT.sub(VIEWPORT, header)


def simplify_coverage(frame: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoSeries:
    """Simplify polygons that tile the plane together, keeping their shared borders identical."""
    projected = frame.geometry.to_crs(RD_NEW)
    simplified = shapely.coverage_simplify(projected.values, tolerance)
    out = gpd.GeoSeries(simplified, index=frame.index, crs=RD_NEW).to_crs("EPSG:4326")
    return out.set_precision(10 ** -DECIMALS)


def payload_bytes(obj: dict) -> int:
    return len(json.dumps(obj, separators=(",", ":")).encode())


_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def escape_html(value) -> str:
    """HTML-escape text from data for folium, which also pastes popups and tooltips into JavaScript
    template literals: a backtick, `${` or backslash there would break out, so those are encoded too."""
    return html.escape(str(value), quote=True).translate(_JS_TEMPLATE)


def tooltip_html(title: str, lines: list[str]) -> str:
    """Title and lines are escaped here; nothing from data reaches the map unescaped."""
    body = "".join(f"<br>{escape_html(line)}" for line in lines)
    return f"<b>{escape_html(title)}</b>{body}"


class BasemapFallback(MacroElement):
    """When PDOK's tiles do not load (offline, blocked), say so on the map; the areas draw regardless."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var tiles = {{ this.tiles.get_name() }}, map = {{ this._parent.get_name() }};
            var failed = 0, loaded = 0, shown = false;
            tiles.on("tileload", function () { loaded += 1; });
            tiles.on("tileerror", function () {
                failed += 1;
                if (shown || loaded > 0 || failed < 2) { return; }
                shown = true;
                var note = L.control({position: "bottomleft"});
                note.onAdd = function () {
                    var box = L.DomUtil.create("div", "basemap-missing");
                    box.textContent = {{ this.message|tojson }};
                    box.setAttribute("role", "status");
                    box.style.cssText = "background:rgba(255,255,255,.9);padding:2px 6px;font:12px sans-serif;"
                        + "border-radius:3px;color:#333";
                    return box;
                };
                note.addTo(map);
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, tiles: folium.TileLayer, message: str):
        super().__init__()
        self._name = "BasemapFallback"
        self.tiles = tiles
        self.message = message


class MapAccessibility(MacroElement):
    """What Leaflet leaves out for keyboard and screen-reader users, added to every map before its layers:
    - the frame's language, and a name for the map that says where its figures are in text;
    - zoom and layer buttons named in the page's language (Leaflet's are English);
    - tooltips that stay where they open (at the area, not following the pointer), can be hovered without
      vanishing, and close with Escape (WCAG 1.4.13); a click on an open tooltip counts as a click on its area.
    No data reaches this script: only translated button names, JSON-encoded."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, names = {{ this.names|tojson }};
            function name(element, text) {
                if (element) { element.title = text; element.setAttribute("aria-label", text); }
            }
            document.documentElement.lang = names.lang;  // the frame's text is in the page's language
            map.getContainer().setAttribute("role", "region");
            map.getContainer().setAttribute("aria-label", names.map);
            if (map.zoomControl) {
                name(map.zoomControl._zoomInButton, names.zoom_in);
                name(map.zoomControl._zoomOutButton, names.zoom_out);
            }
            if (!L.Layer.prototype.__accessibleTooltips) {
                L.Layer.prototype.__accessibleTooltips = true;
                var bind = L.Layer.prototype.bindTooltip, close = L.Layer.prototype.closeTooltip;
                L.Layer.prototype.bindTooltip = function (content, options) {
                    return bind.call(this, content, L.extend({}, options, {sticky: false, interactive: true}));
                };
                L.Layer.prototype.closeTooltip = function (event) {
                    var to = event && event.originalEvent && event.originalEvent.relatedTarget;
                    var box = this._tooltip && this._tooltip._container, layer = this;
                    if (box && to && box.contains(to)) {  // the pointer moved onto the tooltip: keep it open
                        L.DomEvent.on(box, "mouseleave", function leave() {
                            L.DomEvent.off(box, "mouseleave", leave);
                            close.call(layer);
                        });
                        return this;
                    }
                    return close.apply(this, arguments);
                };
                var added = L.Tooltip.prototype.onAdd;
                L.Tooltip.prototype.onAdd = function () {  // an open tooltip's own events stay its own
                    added.apply(this, arguments);
                    if (this._source) { this.removeEventParent(this._source); }
                    return this;
                };
                var layout = L.Control.Layers.prototype._initLayout;
                L.Control.Layers.prototype._initLayout = function () {
                    layout.apply(this, arguments);
                    name(this._layersLink, names.layers);
                };
            }
            map.on("tooltipopen", function (event) {
                var tooltip = event.tooltip, source = tooltip._source;
                tooltip.off("click");
                tooltip.on("click", function (click) {
                    if (source) {
                        source.fire("click", {latlng: click.latlng, layerPoint: click.layerPoint,
                            containerPoint: click.containerPoint, originalEvent: click.originalEvent}, true);
                    }
                });
            });
            function closeTooltips(event) {
                if (event.key !== "Escape") { return; }
                map.eachLayer(function (layer) {
                    if (layer.getTooltip && layer.getTooltip() && layer.isTooltipOpen()) { layer.closeTooltip(); }
                });
            }
            document.addEventListener("keydown", closeTooltips, true);
            try {  // Escape pressed while the focus is on the page around the map
                window.parent.document.addEventListener("keydown", closeTooltips, true);
            } catch (e) { /* another origin */ }
        })();
        {% endmacro %}
    """)

    def __init__(self, lang: str):
        super().__init__()
        self._name = "MapAccessibility"
        self.names = {key: t(f"map_{key}", lang) for key in ("zoom_in", "zoom_out", "layers")}
        self.names |= {"lang": lang, "map": t("map_accessible_name", lang)}


def base_map(bounds: tuple[float, float, float, float], lang: str = DEFAULT_LANGUAGE) -> folium.Map:
    fmap = folium.Map(tiles=None, prefer_canvas=True, control_scale=True, zoom_snap=0.25)
    fmap.get_root().header.add_child(folium.Element(MAP_CSS))
    tiles = folium.TileLayer(BRT_GREY, attr=tile_attribution(lang), name="BRT-Achtergrondkaart", max_zoom=19,
                             overlay=False, control=False).add_to(fmap)
    BasemapFallback(tiles, t("basemap_missing", lang)).add_to(fmap)
    MapAccessibility(lang).add_to(fmap)
    minx, miny, maxx, maxy = bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


class BoundedGeoJson(folium.GeoJson):
    """GeoJson whose bounds are given: folium would otherwise walk every coordinate in Python on each render."""

    def __init__(self, data: dict, bounds: tuple[float, float, float, float], **kwargs):
        super().__init__(data, **kwargs)
        minx, miny, maxx, maxy = bounds
        self._known_bounds = [[miny, minx], [maxy, maxx]]

    def _get_self_bounds(self):
        return self._known_bounds


def collection_bounds(collection: dict) -> tuple[float, float, float, float]:
    geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in collection["features"]]
    return tuple(float(b) for b in shapely.total_bounds(geoms)) if geoms else (0.0, 0.0, 0.0, 0.0)


def choropleth_layer(collection: dict, name: str, bounds: tuple[float, float, float, float]) -> folium.GeoJson:
    """Fill colour comes with each feature (`fill`); missing values get a dashed grey outline."""

    def style(feature):
        missing = feature["properties"]["fill"] == MISSING_COLOUR
        return {"fillColor": feature["properties"]["fill"], "fillOpacity": 0.75, "color": "#555555",
                "weight": 1.2 if missing else 0.6, "dashArray": "3 3" if missing else None}

    return BoundedGeoJson(
        collection, bounds, name=name, style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
    )


def outline_layer(collection: dict, name: str, colour: str, weight: float, show: bool = True,
                  dash: str | None = None) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    BoundedGeoJson(
        collection, collection_bounds(collection),
        style_function=lambda _: {"fill": False, "color": colour, "weight": weight, "dashArray": dash},
        interactive=False,
    ).add_to(group)
    return group


def legend_html(heading: str, subtitle: str, rows: list[dict], lang: str = DEFAULT_LANGUAGE) -> str:
    """The legend beside a map: a swatch, the class bounds and the number of areas per class, under column
    headers (WCAG 1.3.1). Swatches keep their colours in forced-colours mode (WCAG 1.4.11)."""
    items = "".join(
        f'<tr><td><span class="swatch{" missing" if r["missing"] else ""}" '
        f'style="background:{html.escape(r["colour"])}"></span></td>'
        f'<td>{html.escape(r["label"])}</td><td class="n">{r["count"]}</td></tr>'
        for r in rows
    )
    head = "".join(f'<th scope="col"{cls}>{html.escape(t(key, lang))}</th>' for key, cls in
                   (("legend_col_colour", ""), ("legend_col_class", ""), ("legend_col_count", ' class="n"')))
    return (
        "<style>.legend table{max-width:100%} .legend td,.legend th{padding:2px 6px;border:none;overflow-wrap:anywhere}"
        " .legend th{font-weight:600;text-align:left}"
        " @media print{.legend{font-size:8pt} .legend td,.legend th{padding:1px 3px}}"
        " .legend .n{text-align:right;color:#4d4d4d}"
        ".swatch{display:inline-block;width:22px;height:14px;border:1px solid #555;forced-color-adjust:none}"
        ".swatch.missing{border-style:dashed}</style>"
        f'<div class="legend" role="figure" aria-label="{html.escape(heading)}">'
        f"<strong>{html.escape(heading)}</strong><br><small>{html.escape(subtitle)}</small>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{items}</tbody></table></div>"
    )
