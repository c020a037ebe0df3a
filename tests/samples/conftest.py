"""Shared, session-scoped samples: generating is cheap but not free, and most tests only read."""

from __future__ import annotations

import pytest

from lib.samples import KINDS, make_sample


@pytest.fixture(scope="session")
def pdf_samples():
    """Every kind in every layout, born-digital, at two seeds."""
    return [make_sample(kind, layout=layout, seed=seed)
            for kind, (_, layouts) in KINDS.items() for layout in range(layouts) for seed in (0, 1)]


@pytest.fixture(scope="session")
def long_statement():
    return make_sample("bank_statement", rows=150, layout=1, seed=4)
