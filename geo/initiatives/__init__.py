"""The initiatives catalogue: schema and validation, the database store, file import/export, filters and
measures, placement on the map, marker layers, and staff sign-in for editing.

Uses `geo.data` and `geo.maps`.
"""
