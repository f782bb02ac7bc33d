"""Tests of geo.initiatives."""
