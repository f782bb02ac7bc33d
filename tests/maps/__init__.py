"""Tests of geo.maps."""
