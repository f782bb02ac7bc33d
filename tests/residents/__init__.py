"""Tests of geo.residents."""
