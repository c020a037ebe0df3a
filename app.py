"""The studio's shell: page setup, the backend connection in the sidebar, and navigation over the pages.

Run with ``streamlit run app.py``. With no configuration it starts the embedded local server and connects
to it; ``STUDIO_SERVER_URL`` points it at a shared server and ``LLAMA_CLOUD_API_KEY`` at the hosted service.
"""

from __future__ import annotations

import streamlit as st

from lib.ui import navigation, state
from lib.ui.connection import render_sidebar
from lib.ui.warmup import warm_up_in_background


def home() -> None:
    """The home view: what to do, in three lines."""
    st.title("Extraction review studio")
    for number, spec in enumerate(navigation.present_pages()[:3], start=1):
        st.page_link(spec.path, label=f"{number}. {spec.title}: {spec.blurb}", icon=spec.icon)


def main() -> None:
    st.set_page_config(page_title="Extraction review studio", page_icon=":material/fact_check:", layout="wide")
    state.init_session()
    page = st.navigation(navigation.build_pages(st.Page(home, title="Home", icon=":material/home:", default=True)))
    render_sidebar()
    page.run()
    warm_up_in_background()


# Streamlit runs this script as __main__. The embedded server's worker processes are started with
# multiprocessing's spawn/forkserver, which re-imports the parent's main script as __mp_main__:
# the guard keeps them from running the app (and starting another server) inside a worker.
if __name__ == "__main__":
    main()
