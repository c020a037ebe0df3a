"""Helpers that start real servers for the tests (no mocks of our own components)."""
