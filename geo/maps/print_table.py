"""A table for paper: the whole of a table that the screen shows in a scrolling grid.

Streamlit's data grid draws only the rows in view, so a printed ranking of 449 buurten would stop after a dozen.
Pages put this HTML table right after the grid; it is hidden on screen and printed in the grid's place
(app_pages/common.PAGE_CSS), every row, with the header repeated on each sheet. Every cell is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping


def print_table(rows: Iterable[Mapping[str, object]], columns: list[str], numeric: Iterable[str] = (),
                caption: str = "") -> str:
    """`rows` (already formatted as text; None shows as "–") under `columns`; `numeric` columns align right."""
    right = set(numeric)

    def cell(tag: str, column: str, value: object) -> str:
        text = "–" if value is None or value != value or value == "" else str(value)
        align = ' class="n"' if column in right else ""
        return f"<{tag}{align}>{html.escape(text)}</{tag.split()[0]}>"

    head = "".join(cell('th scope="col"', c, c) for c in columns)
    body = "".join("<tr>" + "".join(cell("td", c, row.get(c)) for c in columns) + "</tr>" for row in rows)
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="print-only print-table">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
