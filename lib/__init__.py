"""Extraction review studio: API models, client, local engine, local server, review store."""
