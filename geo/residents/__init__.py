"""What a resident needs to find and read their own buurt: PDOK Locatieserver address search, the offline
name search, and the buurt profile against its municipality, region and province.

Uses `geo.data`, `geo.maps` and `geo.initiatives`.
"""
