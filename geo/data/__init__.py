"""Where figures and boundaries come from and how they are kept: the PDOK and StatLine clients, sources,
normalisation, the atomic cache and its sync, the indicator catalogue, aggregation and domain definitions.

Uses nothing in `geo` above it (only `geo.config`).
"""
