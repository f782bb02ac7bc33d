"""Chart lines (geo.maps.line_styles): told apart without colour, and visible on white (WCAG 1.4.1, 1.4.11)."""

from __future__ import annotations

import pytest

from geo.maps import line_styles
from geo.maps.comparison import MAX_AREAS


def test_every_line_of_a_comparison_differs_in_colour_dash_and_shape():
    lines = line_styles.styles(MAX_AREAS)
    assert len(lines) == MAX_AREAS + 1 and lines[-1] == line_styles.REFERENCE_LINE
    for attribute in ("colour", "dash", "shape"):
        assert len({getattr(line, attribute) for line in lines}) == len(lines), attribute
    # on paper a dash is one on/off pair: still one pattern per line
    assert len({line.paper_dash for line in lines}) == len(lines)


@pytest.mark.parametrize("line", [*line_styles.AREA_LINES, line_styles.REFERENCE_LINE])
def test_every_line_colour_stands_out_from_the_white_chart(line):
    assert line_styles.contrast(line.colour) >= 3.0, line.colour


def test_contrast_is_wcags():
    assert line_styles.contrast("#000000") == pytest.approx(21.0)
    assert line_styles.contrast("#767676") == pytest.approx(4.54, abs=0.01)


def test_a_trend_chart_gives_each_role_its_own_line_even_a_repeated_one():
    roles = ["area", "gemeente", "group", "group", "province", "country"]
    chosen = line_styles.for_roles(roles)
    assert chosen[0] == line_styles.AREA_LINES[0] and chosen[4] == line_styles.REFERENCE_LINE
    assert len(set(chosen)) == len(chosen)
