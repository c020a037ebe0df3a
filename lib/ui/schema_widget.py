"""The JSON editor that holds the working schema: streamlit-ace in JSON mode, or a plain text area.

Ace gives line numbers, bracket matching and error markers at the line and column of a syntax error. It is
a custom component, which Streamlit's AppTest cannot drive, so ``STUDIO_PLAIN_EDITOR=1`` swaps in
``st.text_area`` (the AppTest suite sets it); the browser tests drive the real ace editor. Both share one
contract: the editor under ``key`` starts from ``default`` and its current text is ``editor_text(key, ...)``.
To replace the text from outside (a template, the builder), give the editor a new key.
"""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

PLAIN_EDITOR_ENV = "STUDIO_PLAIN_EDITOR"
LABEL = "Schema (JSON)"


def plain_editor_enabled() -> bool:
    """Whether the plain text area is asked for instead of ace."""
    return os.environ.get(PLAIN_EDITOR_ENV, "").strip().lower() in ("1", "true", "yes")


def editor_text(key: str, default: str) -> str:
    """The editor's current text: what the person last typed, or ``default`` before they typed."""
    value = st.session_state.get(key)
    return value if isinstance(value, str) else default


def json_editor(key: str, default: str, annotations: list[dict[str, Any]], *, height: int = 520) -> str:
    """Render the editor and return its text. ``annotations`` are ace's ``{row, column, text, type}``
    markers (0-based rows); the plain editor has no gutter, so the page also prints every problem. A fixed
    ``height`` makes ace scroll (without one it grows with the text)."""
    if plain_editor_enabled():
        if key not in st.session_state:
            st.session_state[key] = default
        return st.text_area(LABEL, key=key, height=height)
    from streamlit_ace import st_ace

    st.caption(LABEL)
    value = st_ace(
        value=default,
        language="json",
        theme="chrome",
        keybinding="vscode",
        font_size=13,
        tab_size=2,
        height=height,
        show_gutter=True,
        wrap=False,
        annotations=annotations,
        auto_update=True,
        key=key,
    )
    return value if isinstance(value, str) else default
