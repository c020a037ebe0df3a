"""The Extract v2 wire format shared by the client, the server and the engine.

``lib.api.models`` holds the pydantic models, ``lib.api.ids`` the ID scheme. This package
imports nothing else of ours (see ARCHITECTURE.md).
"""
