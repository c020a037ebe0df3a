"""Parsers: one per input kind, each producing the one ``Document`` model (see model.py)."""
