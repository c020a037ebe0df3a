"""Content builders, one module per document kind: seeded data -> ``Built`` (content + truth)."""
