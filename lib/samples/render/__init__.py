"""One renderer per output format, all reading the same ``content.Doc``."""
