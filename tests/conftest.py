"""Shared fixtures (the helpers themselves live in helpers.py)."""

from __future__ import annotations

import pytest

import helpers  # noqa: F401 - puts scripts/ on sys.path
from cae.gazetteer import Gazetteer, load_gazetteer


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return load_gazetteer()
