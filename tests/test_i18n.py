"""Interface text helpers: values shown literally in Markdown, link targets, numbers."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from geo.i18n import link_target, literal, number

COMMONMARK = MarkdownIt("commonmark")
HOSTILE = ["__proto__", "**bold**", "<b>x</b>", "<script>alert(1)</script>", "[link](http://evil)", "# heading",
           "- item", "1. first", "`code`", "> quote", "a\nb", "&amp;", "$x^2$", ":red[x]", "\\*", "~~x~~", "|a|b|",
           "![i](http://evil/x.png)", "<http://evil>", "---", "    indented", "x  \n", "_a_b_"]


def shows_as(markdown: str) -> str:
    """What a reader sees: the text of CommonMark's one paragraph; fails if any markup came out of it."""
    out = COMMONMARK.render(markdown).strip()
    inner = out.removeprefix("<p>").removesuffix("</p>") if out.startswith("<p>") else out
    assert "<" not in inner, f"{markdown!r} became markup: {out!r}"
    return html.unescape(inner)


def test_hostile_values_show_as_typed():
    for value in HOSTILE:
        shown = " ".join(value.split())
        assert shows_as(f"Onbekend: {literal(value)}") == f"Onbekend: {shown}", value
        assert shows_as(literal(value)) == shown, value  # also at the start


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40))
def test_any_text_shows_as_typed(value):
    shown = " ".join(value.split())
    if shown:
        assert shows_as(literal(value)) == shown


def test_streamlit_directives_are_escaped():
    assert literal(":red[alarm] :material/home:") == "\\:red\\[alarm\\] \\:material/home\\:"


def test_link_targets_stay_one_link():
    target = link_target("https://example.org/a (b)<c>")
    out = COMMONMARK.render(f"[bron]({target})").strip()
    assert out == '<p><a href="https://example.org/a%20%28b%29%3Cc%3E">bron</a></p>'


def test_numbers_in_dutch_and_english():
    assert number(12345.6, 1, "nl") == "12.345,6" and number(12345.6, 1, "en") == "12,345.6"
    assert number(None) == "–" and number(float("nan")) == "–"
