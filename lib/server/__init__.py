"""The local Extract v2 API server (FastAPI + uvicorn + SQLite) on the local engine.

Start it with ``python -m lib.server`` (see ``settings.py`` for the flags and variables), or from
the app with ``lib.server.embedded.start_embedded()``.
"""
