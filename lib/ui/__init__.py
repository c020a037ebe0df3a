"""Streamlit pieces shared by the pages: session keys (``state``), the backend connection and sidebar
(``connection``), navigation (``navigation``), and the schema editor's widgets. The only package under
``lib/`` that imports Streamlit."""
