"""Tests of geo.data."""
