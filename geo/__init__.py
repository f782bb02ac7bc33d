"""All rules of the dashboard, tested without Streamlit.

Four packages, each using only those before it: `data` (figures and boundaries), `maps` (what a map shows),
`initiatives` (the catalogue of initiatives), `residents` (finding and profiling one's own buurt). Beside them:
`cli` (`python -m geo`), `config` (paths and settings), `i18n` (interface text) and `export` (safe tables).
"""
