"""How the lines of a chart are told apart, on the pages (Vega-Lite through Altair) and in the PDF reports alike:
by colour, dash and point shape together, never by colour alone (WCAG 1.4.1), and every colour at least 3:1 against
the white background (1.4.11). The province, the reference every chart measures against, always looks the same."""

from __future__ import annotations

from dataclasses import dataclass

MM_PER_PX = 0.25  # a dash of 8 px on the page is 2 mm on paper


@dataclass(frozen=True)
class LineStyle:
    colour: str  # #rrggbb
    dash: tuple[int, ...]  # Vega strokeDash in px: on, off, ...; (1, 0) is solid
    shape: str  # Vega point shape: circle, square, triangle-up, diamond, cross

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.colour[i:i + 2], 16) for i in (1, 3, 5))

    @property
    def paper_dash(self) -> tuple[float, float] | None:
        """The dash as one on/off pair in mm (what a PDF line takes), or None for a solid line."""
        if self.dash[1] == 0:
            return None
        return self.dash[0] * MM_PER_PX, self.dash[1] * MM_PER_PX


# the areas of a chart, in order: the one a page is about first
AREA_LINES = [
    LineStyle("#253494", (1, 0), "circle"),
    LineStyle("#1b7837", (2, 2), "triangle-up"),
    LineStyle("#a63603", (8, 3, 2, 3), "diamond"),
    LineStyle("#4d4d4d", (10, 4), "cross"),
    LineStyle("#c51b7d", (4, 2), "triangle-down"),  # a trend chart's sixth line (a region file with two groups)
]
# the province (or whichever reference the region file names)
REFERENCE_LINE = LineStyle("#7570b3", (6, 3), "square")


def styles(count: int) -> list[LineStyle]:
    """`count` areas' lines followed by the reference line."""
    return [AREA_LINES[i % len(AREA_LINES)] for i in range(count)] + [REFERENCE_LINE]


ROLES = {"area": AREA_LINES[0], "gemeente": AREA_LINES[1], "group": AREA_LINES[2], "province": REFERENCE_LINE,
         "country": AREA_LINES[3]}


def for_roles(roles: list[str]) -> list[LineStyle]:
    """A style per line of a trend chart by what the line is (geo.maps.trend.comparison: area, gemeente, group,
    province, country); a role that comes twice (a region file with two groups) takes a style not yet used."""
    chosen: list[LineStyle] = []
    for role in roles:
        style = ROLES.get(role)
        if style is None or style in chosen:
            unused = [s for s in [*AREA_LINES, REFERENCE_LINE] if s not in chosen]
            style = unused[0] if unused else AREA_LINES[len(chosen) % len(AREA_LINES)]
        chosen.append(style)
    return chosen


def contrast(colour: str, background: str = "#ffffff") -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
