"""One seedable random generator for the whole project (init, dropout, randn, shuffling).

``manual_seed(n)`` makes every draw reproducible. The streams are numpy's (PCG64), so the
numbers differ from PyTorch's for the same seed; the distributions are the same.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int):
    """Seed every random draw of the project."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def seed():
    """Re-seed from fresh entropy."""
    global _generator
    _generator = np.random.default_rng()


def generator() -> np.random.Generator:
    """The project's generator (use it for every draw)."""
    return _generator


def get_rng_state():
    return _generator.bit_generator.state


def set_rng_state(state):
    _generator.bit_generator.state = state
