"""What a map shows: the explorer view and its URL state, classification, choropleth and outline features,
Leaflet/folium building blocks, and the priority areas with their aggregated figures.

Uses `geo.data`; knows nothing of initiatives or residents.
"""
