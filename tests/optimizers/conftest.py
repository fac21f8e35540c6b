"""Shared setup for the optimizer tests: the shared reference cases on sys.path, a fixture
running a test under both kernel backends. (Hypothesis settings come from tests/conftest.py.)"""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture(params=["numba", "numpy"])
def backend(request, monkeypatch):
    """Run a test under both kernel backends (TAPEGRAD_KERNELS)."""
    monkeypatch.setenv("TAPEGRAD_KERNELS", request.param)
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)
